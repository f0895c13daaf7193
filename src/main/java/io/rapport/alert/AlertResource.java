package io.rapport.alert;

import io.rapport.audit.Audit;
import io.rapport.config.Ids;
import io.rapport.error.Params;
import io.rapport.error.ProblemException;
import io.rapport.error.Violation;
import io.rapport.security.Caller;
import io.rapport.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Validator;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/clinics/{clinicId}/alerts")
@Tag(name = "Alerts", description = "Alliance alerts for follow-up before a patient drops out")
@Produces(MediaType.APPLICATION_JSON)
public class AlertResource {

    private static final int MAX_PAGE_SIZE = 200;

    private static final Map<String, List<String>> STATUSES = Map.of(
            "open", List.of("OPEN"),
            "acknowledged", List.of("ACKNOWLEDGED"),
            "resolved", List.of("RESOLVED"),
            "all", List.of("OPEN", "ACKNOWLEDGED", "RESOLVED"));

    private final AlertStore store;
    private final Validator validator;
    private final Caller caller;
    private final Audit audit;

    public AlertResource(AlertStore store, Validator validator, Caller caller, Audit audit) {
        this.store = store;
        this.validator = validator;
        this.caller = caller;
        this.audit = audit;
    }

    @GET
    @Operation(
            operationId = "listAlerts",
            summary = "List a clinic's alerts",
            description = "One page of the clinic's alliance alerts, newest first, by status and provider.")
    @APIResponse(
            responseCode = "200",
            description = "One page of alerts",
            content = @Content(schema = @Schema(implementation = AlertPage.class)))
    @RolesAllowed({Roles.ANALYST, Roles.ADMIN})
    public AlertPage list(
            @PathParam("clinicId") String clinicId,
            @Parameter(
                            description = "open (default), acknowledged, resolved or all",
                            schema = @Schema(enumeration = {"open", "acknowledged", "resolved", "all"}))
                    @QueryParam("status")
                    @DefaultValue("open")
                    String status,
            @QueryParam("providerId") String providerId,
            @Parameter(
                            description = "0-based page",
                            schema =
                                    @Schema(
                                            type = SchemaType.INTEGER,
                                            minimum = "0",
                                            maximum = Params.LAST_PAGE_TEXT,
                                            defaultValue = "0"))
                    @QueryParam("page")
                    @DefaultValue("0")
                    String page,
            @Parameter(
                            description = "1-200, default 50",
                            schema =
                                    @Schema(
                                            type = SchemaType.INTEGER,
                                            minimum = "1",
                                            maximum = "" + MAX_PAGE_SIZE,
                                            defaultValue = "50"))
                    @QueryParam("size")
                    @DefaultValue("50")
                    String size) {
        caller.requireClinic(clinicId);
        audit.clinic(clinicId);
        // Every parameter is read before any is refused, so one answer names all that are wrong.
        List<Violation> violations = new ArrayList<>();
        List<String> statuses = STATUSES.get(status);
        if (statuses == null) {
            violations.add(new Violation("status", "must be one of open, acknowledged, resolved, all"));
        }
        if (providerId != null && !Ids.valid(providerId)) {
            violations.add(new Violation("providerId", Ids.MESSAGE));
        }
        Integer pageNumber = Params.page(page, violations);
        Integer pageSize = Params.wholeNumber("size", size, 1, MAX_PAGE_SIZE, violations);
        if (!violations.isEmpty()) {
            throw ProblemException.invalid(violations);
        }
        AlertPage answer = store.list(clinicId, statuses, providerId, pageNumber, pageSize);
        audit.records(answer.items().size());
        return answer;
    }

    @POST
    @Path("/{id}/acknowledge")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "acknowledgeAlert",
            summary = "Acknowledge an alert",
            description = "Marks the alert acknowledged, with an optional note; acknowledging twice changes nothing.")
    @RequestBody(
            required = false,
            content =
                    @Content(
                            schema = @Schema(implementation = AcknowledgeRequest.class),
                            examples = @ExampleObject(name = "with a note", value = AlertExamples.ACKNOWLEDGE)))
    @APIResponse(
            responseCode = "200",
            description = "The alert",
            content = @Content(schema = @Schema(implementation = AlertView.class)))
    @RolesAllowed({Roles.ANALYST, Roles.ADMIN})
    public AlertView acknowledge(
            @PathParam("clinicId") String clinicId, @PathParam("id") String id, AcknowledgeRequest request) {
        caller.requireClinic(clinicId);
        audit.clinic(clinicId);
        long alertId = parseId(id);
        String note = null;
        if (request != null) {
            var violations = validator.validate(request).stream()
                    .map(v -> new Violation(Violation.fieldOf(v.getPropertyPath()), v.getMessage()))
                    .toList();
            if (!violations.isEmpty()) {
                throw ProblemException.invalid(violations);
            }
            note = request.note();
        }
        AlertView alert = store.acknowledge(clinicId, alertId, note, caller.subject())
                .orElseThrow(() -> ProblemException.notFound("No such alert in this clinic."));
        audit.records(1);
        return alert;
    }

    private static long parseId(String id) {
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw ProblemException.notFound("No such alert in this clinic.");
        }
    }
}

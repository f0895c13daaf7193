package io.rapport.audit;

import io.rapport.error.Params;
import io.rapport.error.ProblemException;
import io.rapport.error.Violation;
import io.rapport.security.Caller;
import io.rapport.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The audit trail, for admins. Read-only: there is no endpoint that changes or removes a row. */
@Path("/api/v1/audit")
@Tag(name = "Audit", description = "Who read or wrote which clinic's data, and who was refused")
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {

    private static final int MAX_PAGE_SIZE = 500;
    private static final Instant EARLIEST = Instant.EPOCH;
    private static final Instant BEYOND_LATEST = Instant.parse("+10000-01-01T00:00:00Z");

    private final AuditStore store;
    private final AuditTrail trail;
    private final Caller caller;
    private final Audit audit;

    public AuditResource(AuditStore store, AuditTrail trail, Caller caller, Audit audit) {
        this.store = store;
        this.trail = trail;
        this.caller = caller;
        this.audit = audit;
    }

    @GET
    @RolesAllowed(Roles.ADMIN)
    @Operation(
            operationId = "listAuditEvents",
            summary = "List audit entries",
            description = "One entry per API request that read or wrote clinic data or was refused, newest first. "
                    + "Append-only; admins only.")
    @APIResponse(
            responseCode = "200",
            description = "One page of audit entries",
            content = @Content(schema = @Schema(implementation = AuditPage.class)))
    public AuditPage list(
            @Parameter(
                            description =
                                    "only requests that touched this clinic; required unless the token covers every clinic")
                    @QueryParam("clinicId")
                    String clinicId,
            @Parameter(description = "ISO-8601 instant or date, inclusive; default 7 days ago") @QueryParam("from")
                    String from,
            @Parameter(description = "ISO-8601 instant or date, exclusive; default now") @QueryParam("to") String to,
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
                            description = "1-500, default 100",
                            schema =
                                    @Schema(
                                            type = SchemaType.INTEGER,
                                            minimum = "1",
                                            maximum = "" + MAX_PAGE_SIZE,
                                            defaultValue = "100"))
                    @QueryParam("size")
                    @DefaultValue("100")
                    String size) {
        if (clinicId == null && !caller.includes(Caller.ALL_CLINICS)) {
            throw ProblemException.badParameter("clinicId", "is required for a token scoped to particular clinics");
        }
        caller.requireClinic(clinicId);
        audit.clinic(clinicId);
        // Every parameter is read before any is refused, so one answer names all that are wrong,
        // and before the flush below, which can wait while the database is away.
        List<Violation> violations = new ArrayList<>();
        Instant end = instant("to", to, violations);
        Instant start = instant("from", from, violations);
        Integer pageNumber = Params.page(page, violations);
        Integer pageSize = Params.wholeNumber("size", size, 1, MAX_PAGE_SIZE, violations);
        if (!violations.isEmpty()) {
            throw ProblemException.invalid(violations);
        }
        end = end != null ? end : Instant.now().plusSeconds(1);
        start = start != null ? start : end.minus(Duration.ofDays(7));
        if (!start.isBefore(end)) {
            throw ProblemException.badParameter("from", "must be before to");
        }
        // Entries are written a moment after their request; wait for those already queued, so an
        // admin sees every request made before this one.
        trail.flush(2_000);
        AuditPage answer = store.list(clinicId, start, end, pageNumber, pageSize);
        audit.records(answer.items().size());
        return inScope(answer);
    }

    /**
     * Each row's clinics, less those outside the caller's scope: a batch that touched several
     * clinics is one row, and a scoped admin must not learn the others' ids from it.
     */
    private AuditPage inScope(AuditPage page) {
        if (caller.includes(Caller.ALL_CLINICS)) {
            return page;
        }
        return new AuditPage(
                page.page(),
                page.size(),
                page.total(),
                page.items().stream()
                        .map(e -> new AuditEntry(
                                e.at(),
                                e.requestId(),
                                e.subject(),
                                e.roles(),
                                e.clinics().stream().filter(caller::includes).toList(),
                                e.refusedClinics().stream()
                                        .filter(caller::includes)
                                        .toList(),
                                e.method(),
                                e.route(),
                                e.status(),
                                e.records()))
                        .toList());
    }

    /**
     * The instant a parameter names, or null when it is not given; a bad one is added to
     * violations. A blank one is bad too: read as absent, {@code to=%20} quietly became the default
     * window, as a trend's date would not.
     */
    private static Instant instant(String name, String value, List<Violation> violations) {
        if (value == null) {
            return null;
        }
        Instant parsed;
        try {
            parsed = value.length() == 10
                    ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : Instant.parse(value);
        } catch (DateTimeParseException e) {
            parsed = null;
        }
        // Java reads years far beyond what PostgreSQL's timestamptz keeps; the years the trail's
        // rows can have are the bound, as for the trend windows.
        if (parsed == null || parsed.isBefore(EARLIEST) || !parsed.isBefore(BEYOND_LATEST)) {
            violations.add(new Violation(
                    name, "must be an ISO-8601 date (2026-03-02) or instant (2026-03-02T14:00:00Z) from 1970 to 9999"));
            return null;
        }
        return parsed;
    }
}

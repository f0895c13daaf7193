package io.rapport.visit;

import com.fasterxml.jackson.databind.JsonNode;
import io.rapport.audit.Audit;
import io.rapport.error.ProblemException;
import io.rapport.ingest.BatchResponse;
import io.rapport.ingest.IngestPipeline;
import io.rapport.ingest.Outcome;
import io.rapport.security.Caller;
import io.rapport.security.IngestRateLimiter;
import io.rapport.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1")
@Tag(name = "Visits", description = "One event per telehealth visit, posted by the platform")
@Produces(MediaType.APPLICATION_JSON)
public class VisitResource {

    private final IngestPipeline pipeline;
    private final VisitKind visits;
    private final Caller caller;
    private final IngestRateLimiter rateLimiter;
    private final Audit audit;

    public VisitResource(
            IngestPipeline pipeline, VisitKind visits, Caller caller, IngestRateLimiter rateLimiter, Audit audit) {
        this.pipeline = pipeline;
        this.visits = visits;
        this.caller = caller;
        this.rateLimiter = rateLimiter;
        this.audit = audit;
    }

    @POST
    @Path("/visits")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "ingestVisit",
            summary = "Ingest one visit",
            description = "Idempotent on clinicId + visitId: a new visit answers 201 with its Location, the same"
                    + " content again 200 with nothing changed. Changed content with a recordedAt not older than"
                    + " the stored one is a correction (200, revision + 1); an older one is ignored (200, the stored"
                    + " state). Invalid input answers 400 naming every broken rule, and nothing is stored.")
    @RequestBody(
            content =
                    @Content(
                            schema = @Schema(implementation = VisitEvent.class),
                            examples = @ExampleObject(name = "video visit", value = VisitExamples.VISIT)))
    @APIResponse(
            responseCode = "201",
            description = "Created",
            content = @Content(schema = @Schema(implementation = VisitView.class)))
    @APIResponse(
            responseCode = "200",
            description = "Replay, correction or stale correction: the stored state",
            content = @Content(schema = @Schema(implementation = VisitView.class)))
    @RolesAllowed(Roles.INGEST)
    public Response ingest(VisitEvent event) {
        // The clinic first, so a post refused for its rate still names the clinic it was for.
        audit.clinic(event == null ? null : event.clinicId());
        rateLimiter.admit(caller.subject());
        IngestPipeline.Single<NewVisit> result = pipeline.one(visits, event, caller);
        audit.records(result.outcome().wrote() ? 1 : 0);
        // What was written is the posted visit itself; only a replay or a late correction, where the
        // stored state stood, is read back (a read per post cost about a seventh of the service's CPU).
        VisitView view = result.outcome().wrote()
                ? VisitView.written(result.item(), result.stored().revision(), result.receivedAt())
                : visits.find(result.item().clinicId(), result.item().visitId())
                        .orElseThrow(() -> new IllegalStateException("A stored visit could not be read back"));
        if (result.outcome() == Outcome.CREATED) {
            var location = UriBuilder.fromPath("/api/v1/clinics/{clinicId}/visits/{visitId}")
                    .build(view.clinicId(), view.visitId());
            return Response.created(location).entity(view).build();
        }
        return Response.ok(view).build();
    }

    @POST
    @Path("/visits/batch")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "ingestVisitBatch",
            summary = "Ingest a batch of visits",
            description = "A JSON array of up to rapport.ingest.max-batch (1,000) visits. Each item stands or falls"
                    + " alone, with the single-visit rules: valid items are stored even when others are rejected."
                    + " The answer counts the outcomes and gives one result per input index; 400 only when the"
                    + " body is not a JSON array.")
    @RequestBody(
            content =
                    @Content(
                            schema = @Schema(type = SchemaType.ARRAY, implementation = VisitEvent.class),
                            examples = @ExampleObject(name = "two visits", value = VisitExamples.BATCH)))
    @APIResponse(
            responseCode = "200",
            description = "Counts and one result per input index",
            content = @Content(schema = @Schema(implementation = BatchResponse.class)))
    @RolesAllowed(Roles.INGEST)
    public BatchResponse ingestBatch(JsonNode body) {
        // The clinics before anything can refuse the batch as a whole (its rate, its size, a database
        // that is away after a commit whose answer was lost), so their admins read the attempt.
        audit.clinics(pipeline.clinicsNamed(body), caller::includes);
        rateLimiter.admit(caller.subject());
        BatchResponse answer = pipeline.batch(visits, body, caller);
        audit.records(answer.created() + answer.updated());
        return answer;
    }

    @GET
    @Path("/clinics/{clinicId}/visits/{visitId}")
    @Operation(
            operationId = "getVisit",
            summary = "Read one visit",
            description = "The stored visit without the patient id, with the derived waitSeconds, durationSeconds"
                    + " and faceToFaceShare.")
    @APIResponse(
            responseCode = "200",
            description = "The stored visit",
            content = @Content(schema = @Schema(implementation = VisitView.class)))
    @RolesAllowed({Roles.ANALYST, Roles.ADMIN})
    public VisitView get(@PathParam("clinicId") String clinicId, @PathParam("visitId") String visitId) {
        caller.requireClinic(clinicId);
        audit.clinic(clinicId);
        VisitView visit = visits.find(clinicId, visitId)
                .orElseThrow(() -> ProblemException.notFound("No such visit in this clinic."));
        audit.records(1);
        return visit;
    }
}

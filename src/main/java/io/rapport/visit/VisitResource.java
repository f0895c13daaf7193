package io.rapport.visit;

import com.fasterxml.jackson.databind.JsonNode;
import io.rapport.error.Problem;
import io.rapport.error.ProblemException;
import io.rapport.ingest.BatchResponse;
import io.rapport.ingest.IngestPipeline;
import io.rapport.ingest.Outcome;
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

    public VisitResource(IngestPipeline pipeline, VisitKind visits) {
        this.pipeline = pipeline;
        this.visits = visits;
    }

    @POST
    @Path("/visits")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Ingest one visit (idempotent on clinicId + visitId; corrections by recordedAt)")
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
    @APIResponse(
            responseCode = "400",
            description = "Invalid or malformed event; nothing stored",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(
            responseCode = "413",
            description = "Body over 1 MiB",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(
            responseCode = "415",
            description = "Not application/json",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response ingest(VisitEvent event) {
        IngestPipeline.Single<NewVisit> result = pipeline.one(visits, event);
        VisitView view = visits.find(result.item().clinicId(), result.item().visitId())
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
    @Operation(summary = "Ingest up to rapport.ingest.max-batch visits; each item stands or falls alone")
    @RequestBody(
            content =
                    @Content(
                            schema = @Schema(type = SchemaType.ARRAY, implementation = VisitEvent.class),
                            examples = @ExampleObject(name = "two visits", value = VisitExamples.BATCH)))
    @APIResponse(
            responseCode = "200",
            description = "Counts and one result per input index",
            content = @Content(schema = @Schema(implementation = BatchResponse.class)))
    @APIResponse(
            responseCode = "400",
            description = "Body is not a JSON array",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(
            responseCode = "413",
            description = "More items than the limit, or body over 1 MiB",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(
            responseCode = "415",
            description = "Not application/json",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public BatchResponse ingestBatch(JsonNode body) {
        return pipeline.batch(visits, body);
    }

    @GET
    @Path("/clinics/{clinicId}/visits/{visitId}")
    @Operation(summary = "Read one stored visit")
    @APIResponse(
            responseCode = "200",
            description = "The stored visit",
            content = @Content(schema = @Schema(implementation = VisitView.class)))
    @APIResponse(
            responseCode = "404",
            description = "No such visit in this clinic",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public VisitView get(@PathParam("clinicId") String clinicId, @PathParam("visitId") String visitId) {
        return visits.find(clinicId, visitId)
                .orElseThrow(() -> ProblemException.notFound("No such visit in this clinic."));
    }
}

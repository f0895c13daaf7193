package io.rapport.rating;

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
@Tag(name = "Ratings", description = "Post-visit survey answers, scored per instrument")
@Produces(MediaType.APPLICATION_JSON)
public class RatingResource {

    private final IngestPipeline pipeline;
    private final RatingKind ratings;

    public RatingResource(IngestPipeline pipeline, RatingKind ratings) {
        this.pipeline = pipeline;
        this.ratings = ratings;
    }

    @POST
    @Path("/ratings")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Ingest one rating (idempotent on clinicId + visitId + instrument)")
    @RequestBody(
            content =
                    @Content(
                            schema = @Schema(implementation = RatingEvent.class),
                            examples = @ExampleObject(name = "SRS", value = RatingExamples.SRS)))
    @APIResponse(
            responseCode = "201",
            description = "Created",
            content = @Content(schema = @Schema(implementation = RatingView.class)))
    @APIResponse(
            responseCode = "200",
            description = "Replay or correction: the stored rating",
            content = @Content(schema = @Schema(implementation = RatingView.class)))
    @APIResponse(
            responseCode = "400",
            description = "Unknown instrument, bad answers; nothing stored",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(
            responseCode = "413",
            description = "Body over 1 MiB",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(
            responseCode = "415",
            description = "Not application/json",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response ingest(RatingEvent event) {
        IngestPipeline.Single<NewRating> result = pipeline.one(ratings, event);
        NewRating stored = result.item();
        RatingView r = ratings.find(stored.clinicId(), stored.visitId(), stored.instrument())
                .orElseThrow(() -> new IllegalStateException("A stored rating could not be read back"));
        if (result.outcome() == Outcome.CREATED) {
            var location = UriBuilder.fromPath("/api/v1/clinics/{clinicId}/visits/{visitId}/ratings/{instrument}")
                    .build(r.clinicId(), r.visitId(), r.instrument());
            return Response.created(location).entity(r).build();
        }
        return Response.ok(r).build();
    }

    @POST
    @Path("/ratings/batch")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Ingest up to rapport.ingest.max-batch ratings; each item stands or falls alone")
    @RequestBody(
            content =
                    @Content(
                            schema = @Schema(type = SchemaType.ARRAY, implementation = RatingEvent.class),
                            examples = @ExampleObject(name = "two ratings", value = RatingExamples.BATCH)))
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
            description = "Too many items or body over 1 MiB",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(
            responseCode = "415",
            description = "Not application/json",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public BatchResponse ingestBatch(JsonNode body) {
        return pipeline.batch(ratings, body);
    }

    @GET
    @Path("/clinics/{clinicId}/visits/{visitId}/ratings/{instrument}")
    @Operation(summary = "Read one stored rating with its unresolved alerts")
    @APIResponse(
            responseCode = "200",
            description = "The rating",
            content = @Content(schema = @Schema(implementation = RatingView.class)))
    @APIResponse(
            responseCode = "404",
            description = "No such rating",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public RatingView get(
            @PathParam("clinicId") String clinicId,
            @PathParam("visitId") String visitId,
            @PathParam("instrument") String instrument) {
        return ratings.find(clinicId, visitId, instrument)
                .orElseThrow(() -> ProblemException.notFound("No rating of that instrument for that visit."));
    }
}

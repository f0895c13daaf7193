package io.rapport.rating;

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
@Tag(name = "Ratings", description = "Post-visit survey answers, scored per instrument")
@Produces(MediaType.APPLICATION_JSON)
public class RatingResource {

    private final IngestPipeline pipeline;
    private final RatingKind ratings;
    private final Caller caller;
    private final IngestRateLimiter rateLimiter;
    private final Audit audit;

    public RatingResource(
            IngestPipeline pipeline, RatingKind ratings, Caller caller, IngestRateLimiter rateLimiter, Audit audit) {
        this.pipeline = pipeline;
        this.ratings = ratings;
        this.caller = caller;
        this.rateLimiter = rateLimiter;
        this.audit = audit;
    }

    @POST
    @Path("/ratings")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "ingestRating",
            summary = "Ingest one rating",
            description = "A patient's answers to one instrument after one visit, null for a missing answer."
                    + " Idempotent on clinicId + visitId + instrument, corrections ordered by recordedAt as for"
                    + " visits. The answer carries the score and the rating's unresolved alerts, without who"
                    + " acknowledged them or their note (an ingest token reads nothing of a manager's). Unknown"
                    + " instruments and bad answers get a 400 naming each item, and nothing is stored.")
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
    @RolesAllowed(Roles.INGEST)
    public Response ingest(RatingEvent event) {
        // The clinic first, so a post refused for its rate still names the clinic it was for.
        audit.clinic(event == null ? null : event.clinicId());
        rateLimiter.admit(caller.subject());
        IngestPipeline.Single<NewRating> result = pipeline.one(ratings, event, caller);
        audit.records(result.outcome().wrote() ? 1 : 0);
        NewRating stored = result.item();
        RatingView r = ratings.find(stored.clinicId(), stored.visitId(), stored.instrument())
                .map(RatingView::forPlatform)
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
    @Operation(
            operationId = "ingestRatingBatch",
            summary = "Ingest a batch of ratings",
            description = "A JSON array of up to rapport.ingest.max-batch (1,000) ratings, with the same per-item"
                    + " contract as the visit batch.")
    @RequestBody(
            content =
                    @Content(
                            schema = @Schema(type = SchemaType.ARRAY, implementation = RatingEvent.class),
                            examples = @ExampleObject(name = "two ratings", value = RatingExamples.BATCH)))
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
        BatchResponse answer = pipeline.batch(ratings, body, caller);
        audit.records(answer.created() + answer.updated());
        return answer;
    }

    @GET
    @Path("/clinics/{clinicId}/visits/{visitId}/ratings/{instrument}")
    @Operation(
            operationId = "getRating",
            summary = "Read one rating",
            description = "The stored rating of one instrument for one visit, with its unresolved alerts.")
    @APIResponse(
            responseCode = "200",
            description = "The rating",
            content = @Content(schema = @Schema(implementation = RatingView.class)))
    @RolesAllowed({Roles.ANALYST, Roles.ADMIN})
    public RatingView get(
            @PathParam("clinicId") String clinicId,
            @PathParam("visitId") String visitId,
            @PathParam("instrument") String instrument) {
        caller.requireClinic(clinicId);
        audit.clinic(clinicId);
        RatingView rating = ratings.find(clinicId, visitId, instrument)
                .orElseThrow(() -> ProblemException.notFound("No rating of that instrument for that visit."));
        audit.records(1);
        return rating;
    }
}

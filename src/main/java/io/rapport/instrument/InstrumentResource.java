package io.rapport.instrument;

import io.rapport.error.Problem;
import io.rapport.error.ProblemException;
import io.rapport.ingest.Ids;
import io.rapport.ingest.Outcome;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/instruments")
@Tag(name = "Instruments", description = "Survey instruments: the built-ins and those a clinic registers")
@Produces(MediaType.APPLICATION_JSON)
public class InstrumentResource {

    private final InstrumentRegistry registry;

    public InstrumentResource(InstrumentRegistry registry) {
        this.registry = registry;
    }

    @GET
    @Operation(summary = "List the built-in instruments and, with clinicId, that clinic's own")
    @APIResponse(responseCode = "200", description = "Instrument definitions")
    @APIResponse(
            responseCode = "400",
            description = "Bad clinicId",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public List<InstrumentDefinition> list(
            @Parameter(description = "include this clinic's instruments") @QueryParam("clinicId") String clinicId) {
        return registry.list(checkedClinic(clinicId));
    }

    @GET
    @Path("/{code}")
    @Operation(summary = "Read one instrument (RAPPORT-5 carries its item texts for rendering the survey)")
    @APIResponse(
            responseCode = "200",
            description = "The definition",
            content = @Content(schema = @Schema(implementation = InstrumentDefinition.class)))
    @APIResponse(
            responseCode = "400",
            description = "Bad clinicId",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(
            responseCode = "404",
            description = "Unknown instrument",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public InstrumentDefinition get(@PathParam("code") String code, @QueryParam("clinicId") String clinicId) {
        return registry.find(checkedClinic(clinicId), code)
                .orElseThrow(() -> ProblemException.notFound("No such instrument for this clinic."));
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Register a clinic's own instrument (same shape and validation as the built-ins)")
    @RequestBody(
            content =
                    @Content(
                            schema = @Schema(implementation = InstrumentDefinition.class),
                            examples =
                                    @ExampleObject(
                                            name = "three-item comfort check",
                                            value = InstrumentExamples.INSTRUMENT)))
    @APIResponse(
            responseCode = "201",
            description = "Registered",
            content = @Content(schema = @Schema(implementation = InstrumentDefinition.class)))
    @APIResponse(
            responseCode = "200",
            description = "Already registered as sent, or replaced by a higher version",
            content = @Content(schema = @Schema(implementation = InstrumentDefinition.class)))
    @APIResponse(
            responseCode = "400",
            description = "Inconsistent definition",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(
            responseCode = "409",
            description = "A built-in code, or a different definition at the same version",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(
            responseCode = "415",
            description = "Not application/json",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response register(InstrumentDefinition definition) {
        if (definition == null) {
            throw ProblemException.badParameter("", "the request body is required");
        }
        Outcome outcome = registry.register(definition);
        if (outcome == Outcome.CREATED) {
            var location = UriBuilder.fromPath("/api/v1/instruments/{code}")
                    .queryParam("clinicId", definition.clinicId())
                    .build(definition.code());
            return Response.created(location).entity(definition).build();
        }
        return Response.ok(definition).build();
    }

    private static String checkedClinic(String clinicId) {
        if (clinicId != null && !Ids.valid(clinicId)) {
            throw ProblemException.badParameter("clinicId", Ids.MESSAGE);
        }
        return clinicId;
    }
}

package io.rapport.instrument;

import io.rapport.audit.Audit;
import io.rapport.error.ProblemException;
import io.rapport.ingest.Outcome;
import io.rapport.security.Caller;
import io.rapport.security.Roles;
import jakarta.annotation.security.RolesAllowed;
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
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
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
    private final Caller caller;
    private final Audit audit;

    public InstrumentResource(InstrumentRegistry registry, Caller caller, Audit audit) {
        this.registry = registry;
        this.caller = caller;
        this.audit = audit;
    }

    @GET
    @Operation(
            operationId = "listInstruments",
            summary = "List instruments",
            description = "The built-in instruments and, with clinicId, that clinic's own.")
    @APIResponse(
            responseCode = "200",
            description = "Instrument definitions",
            content = @Content(schema = @Schema(type = SchemaType.ARRAY, implementation = InstrumentDefinition.class)))
    @RolesAllowed({Roles.INGEST, Roles.ANALYST, Roles.ADMIN})
    public List<InstrumentDefinition> list(
            @Parameter(description = "include this clinic's instruments") @QueryParam("clinicId") String clinicId) {
        List<InstrumentDefinition> all = registry.list(readable(clinicId));
        audit.records(all.size());
        return all;
    }

    @GET
    @Path("/{code}")
    @Operation(
            operationId = "getInstrument",
            summary = "Read one instrument",
            description = "One definition by code, a clinic's own with clinicId. RAPPORT-5 carries its item texts"
                    + " for rendering the survey.")
    @APIResponse(
            responseCode = "200",
            description = "The definition",
            content = @Content(schema = @Schema(implementation = InstrumentDefinition.class)))
    @RolesAllowed({Roles.INGEST, Roles.ANALYST, Roles.ADMIN})
    public InstrumentDefinition get(@PathParam("code") String code, @QueryParam("clinicId") String clinicId) {
        InstrumentDefinition found = registry.find(readable(clinicId), code)
                .orElseThrow(() -> ProblemException.notFound("No such instrument for this clinic."));
        audit.records(1);
        return found;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "registerInstrument",
            summary = "Register a clinic's own instrument",
            description = "Same shape and validation as the built-ins. The same definition again is harmless (200);"
                    + " a different one needs a higher version. Once ratings of the code are stored, a version"
                    + " may not change how answers are scored (items, itemMin, itemMax, itemStep, subscales,"
                    + " total, missing): a new scale takes a new code.")
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
    @RolesAllowed(Roles.ADMIN)
    @APIResponse(
            responseCode = "409",
            description = "A built-in code, a different definition at the same version, or a new scale for"
                    + " stored ratings")
    public Response register(InstrumentDefinition definition) {
        if (definition == null) {
            throw ProblemException.badParameter("", "the request body is required");
        }
        // Named before the scope check, so a refused attempt is in that clinic's trail.
        audit.clinic(definition.clinicId());
        caller.requireWritable(definition.clinicId());
        Outcome outcome = registry.register(definition);
        audit.records(outcome.wrote() ? 1 : 0);
        if (outcome == Outcome.CREATED) {
            var location = UriBuilder.fromPath("/api/v1/instruments/{code}")
                    .queryParam("clinicId", definition.clinicId())
                    .build(definition.code());
            return Response.created(location).entity(definition).build();
        }
        return Response.ok(definition).build();
    }

    /** A clinic's own instruments are visible to that clinic only: another is not found. */
    private String readable(String clinicId) {
        caller.requireClinic(clinicId);
        audit.clinic(clinicId);
        return clinicId;
    }
}

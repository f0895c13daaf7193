package io.rapport.trend;

import io.rapport.audit.Audit;
import io.rapport.config.Ids;
import io.rapport.http.Accept;
import io.rapport.security.Caller;
import io.rapport.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.function.Function;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

// Rooted at /api/v1 like the other resources: a class path of /api/v1/clinics/{clinicId} would win
// JAX-RS matching for every deeper clinic path and hide the visit and rating resources.
@Path("/api/v1")
@Tag(name = "Trends", description = "What clinic managers read; every answer also comes as text/csv")
@Produces({MediaType.APPLICATION_JSON, Csv.MEDIA_TYPE})
public class TrendResource {

    private static final MediaType CSV = MediaType.valueOf(Csv.MEDIA_TYPE);

    private final TrendService service;
    private final Caller caller;
    private final Audit audit;

    public TrendResource(TrendService service, Caller caller, Audit audit) {
        this.service = service;
        this.caller = caller;
        this.audit = audit;
    }

    @GET
    @Path("/clinics/{clinicId}/summary")
    @Operation(
            operationId = "getSummary",
            summary = "Read a clinic's summary",
            description = "Headline numbers over the window: time use, waits, latency, ratings, continuity of care,"
                    + " open alerts. Rating statistics over fewer than rapport.trends.min-group-size complete ratings are"
                    + " null and suppressed. Accept: text/csv answers one row per number.")
    @APIResponse(
            responseCode = "200",
            description = "The summary",
            content = {
                @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Summary.class)),
                @Content(mediaType = Csv.MEDIA_TYPE, schema = @Schema(type = SchemaType.STRING))
            })
    @RolesAllowed({Roles.ANALYST, Roles.ADMIN})
    public Response summary(@BeanParam TrendParams params, @Context HttpHeaders headers) {
        TrendWindow w = window(params);
        boolean csv = wantsCsv(headers.getAcceptableMediaTypes());
        Summary summary = service.summary(w);
        audit.records(1);
        return respond(csv, summary, Csv::summary);
    }

    @GET
    @Path("/clinics/{clinicId}/trends")
    @Operation(
            operationId = "getTrends",
            summary = "Read one metric over time",
            description = "A point per day, week (from Monday) or month in tz, empty buckets included, one series"
                    + " per group. Accept: text/csv answers one row per point.")
    @APIResponse(
            responseCode = "200",
            description = "The series",
            content = {
                @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TrendSeries.class)),
                @Content(mediaType = Csv.MEDIA_TYPE, schema = @Schema(type = SchemaType.STRING))
            })
    @RolesAllowed({Roles.ANALYST, Roles.ADMIN})
    public Response trends(
            @BeanParam TrendParams params,
            @Parameter(
                            required = true,
                            description =
                                    "faceToFaceShare, faceToFaceSeconds, documentationSeconds, afterHoursDocumentationSeconds, "
                                            + "waitSeconds, responseLatencySeconds (live visits), messageReplySeconds (MESSAGING), "
                                            + "patientTalkShare, connectionDrops, or SRS.total and the like")
                    @QueryParam("metric")
                    String metric,
            @Parameter(description = "day, week or month", schema = @Schema(enumeration = {"day", "week", "month"}))
                    @QueryParam("interval")
                    @DefaultValue("week")
                    String interval,
            @Parameter(
                            description = "mean, p50, p90, p95 or count",
                            schema = @Schema(enumeration = {"mean", "p50", "p90", "p95", "count"}))
                    @QueryParam("stat")
                    @DefaultValue("mean")
                    String stat,
            @Parameter(
                            description = "none, modality or provider",
                            schema = @Schema(enumeration = {"none", "modality", "provider"}))
                    @QueryParam("groupBy")
                    @DefaultValue("none")
                    String groupBy,
            @Context HttpHeaders headers) {
        requireClinic(params);
        TrendService.SeriesQuery query = service.seriesQuery(params.clinicId, metric, interval, stat, groupBy);
        TrendWindow w = params.window(query.violations());
        boolean csv = wantsCsv(headers.getAcceptableMediaTypes());
        TrendSeries series = service.trends(w, query);
        audit.records(series.series().stream().mapToLong(s -> s.points().size()).sum());
        return respond(csv, series, Csv::trends);
    }

    @GET
    @Path("/clinics/{clinicId}/providers")
    @Operation(
            operationId = "getProviderComparison",
            summary = "Compare a clinic's providers",
            description = "Each provider's headline numbers beside the clinic's. Accept: text/csv answers one row"
                    + " per provider.")
    @APIResponse(
            responseCode = "200",
            description = "One row per provider",
            content = {
                @Content(
                        mediaType = MediaType.APPLICATION_JSON,
                        schema = @Schema(implementation = ProviderComparison.class)),
                @Content(mediaType = Csv.MEDIA_TYPE, schema = @Schema(type = SchemaType.STRING))
            })
    @RolesAllowed({Roles.ANALYST, Roles.ADMIN})
    public Response providers(@BeanParam TrendParams params, @Context HttpHeaders headers) {
        TrendWindow w = window(params);
        boolean csv = wantsCsv(headers.getAcceptableMediaTypes());
        ProviderComparison comparison = service.providers(w);
        audit.records(comparison.providers().size());
        return respond(csv, comparison, Csv::providers);
    }

    @GET
    @Path("/clinics/{clinicId}/drivers")
    @Operation(
            operationId = "getDrivers",
            summary = "Read what moves an instrument's total",
            description = "For each per-visit metric, Pearson r with the instrument's total over rated visits and the"
                    + " mean total per quartile of the metric. Accept: text/csv answers one row per metric.")
    @APIResponse(
            responseCode = "200",
            description = "One driver per metric",
            content = {
                @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Drivers.class)),
                @Content(mediaType = Csv.MEDIA_TYPE, schema = @Schema(type = SchemaType.STRING))
            })
    @RolesAllowed({Roles.ANALYST, Roles.ADMIN})
    public Response drivers(
            @BeanParam TrendParams params,
            @Parameter(required = true, description = "instrument code, e.g. SRS") @QueryParam("instrument")
                    String instrument,
            @Context HttpHeaders headers) {
        requireClinic(params);
        TrendService.DriversQuery query = service.driversQuery(params.clinicId, instrument);
        TrendWindow w = params.window(query.violations());
        boolean csv = wantsCsv(headers.getAcceptableMediaTypes());
        Drivers drivers = service.drivers(w, query);
        audit.records(drivers.drivers().size());
        return respond(csv, drivers, Csv::drivers);
    }

    private TrendWindow window(TrendParams params) {
        requireClinic(params);
        return params.window(List.of());
    }

    /**
     * A clinic outside the token's scope is not found before any other parameter is looked at, in
     * particular before an endpoint's own parameters read the clinic's instruments; an id no clinic
     * can have is a 400 before that, naming every other bad parameter of the window with it.
     */
    private void requireClinic(TrendParams params) {
        if (!Ids.valid(params.clinicId)) {
            params.window(List.of()); // throws: the id is among its violations
        }
        caller.requireClinic(params.clinicId);
        audit.clinic(params.clinicId);
    }

    /** Vary: Accept, since the same address answers JSON or CSV by that header alone. */
    private static <T> Response respond(boolean csv, T body, Function<T, String> asCsv) {
        Response.ResponseBuilder answer = csv
                ? Response.ok(asCsv.apply(body), Csv.MEDIA_TYPE + ";charset=UTF-8")
                : Response.ok(body, MediaType.APPLICATION_JSON_TYPE.withCharset("UTF-8"));
        return answer.header(HttpHeaders.VARY, HttpHeaders.ACCEPT).build();
    }

    /**
     * Whether the client prefers CSV to JSON, by the quality {@link Accept#quality} gives each: the
     * higher wins, JSON on a tie (generated clients send "application/json, text/csv, ..." and must
     * get the JSON their models read). A client that refuses both got its 406 from
     * the http package's AcceptFilter before the endpoint computed anything.
     */
    static boolean wantsCsv(List<MediaType> acceptable) {
        return Accept.quality(acceptable, CSV) > Accept.quality(acceptable, MediaType.APPLICATION_JSON_TYPE);
    }
}

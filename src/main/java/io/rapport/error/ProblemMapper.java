package io.rapport.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.rapport.metrics.IngestMetrics;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The one place where exceptions become HTTP answers: always problem+json, never a stack trace. */
public class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    private final IngestMetrics metrics;

    public ProblemMapper(IngestMetrics metrics) {
        this.metrics = metrics;
    }

    @ServerExceptionMapper
    public Response problem(ProblemException e, UriInfo uri) {
        if (e.status() == 400) {
            metrics.rejectedRequest(uri.getPath(), "validation");
        } else if (e.status() == 413) {
            metrics.rejectedRequest(uri.getPath(), "too_large");
        }
        Response r = respond(e.status(), e.title(), e.getMessage(), uri, e.violations());
        return e.retryAfterSeconds() == null
                ? r
                : Response.fromResponse(r)
                        .header("Retry-After", e.retryAfterSeconds())
                        .build();
    }

    // With lazy authentication a bad token surfaces here, so every 401 is the same problem+json,
    // and none tells the caller which check failed (expired, issuer, signature, algorithm).
    @ServerExceptionMapper({AuthenticationFailedException.class, UnauthorizedException.class})
    public Response unauthenticated(UriInfo uri) {
        Response r = respond(
                401,
                "Unauthorized",
                "A valid bearer token is required: send Authorization: Bearer <token>.",
                uri,
                null);
        return Response.fromResponse(r)
                .header("WWW-Authenticate", "Bearer realm=\"rapport\"")
                .build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri) {
        return respond(403, "Forbidden", "This token's roles do not allow this request.", uri, null);
    }

    // Quarkus ships mappers for these Jackson subtypes; the most specific type wins, so each is named here.
    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e, UriInfo uri) {
        return json(e, uri);
    }

    @ServerExceptionMapper
    public Response unreadable(StreamReadException e, UriInfo uri) {
        return json(e, uri);
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e, UriInfo uri) {
        metrics.rejectedRequest(uri.getPath(), "malformed");
        Violation v = JsonProblems.violation(e);
        String detail = v.field().isEmpty()
                ? "The request body " + v.message() + "."
                : "The request body could not be read: see violations.";
        return respond(400, "Malformed request body", detail, uri, List.of(v));
    }

    @ServerExceptionMapper
    public Response constraint(ConstraintViolationException e, UriInfo uri) {
        List<Violation> violations = e.getConstraintViolations().stream()
                .map(cv -> new Violation(leaf(cv.getPropertyPath().toString()), cv.getMessage()))
                .sorted(Comparator.comparing(Violation::field))
                .toList();
        return respond(400, "Invalid request", "See violations.", uri, violations);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri) {
        // The JSON body reader reports some parse failures as a plain 400 wrapping Jackson's error.
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof JsonProcessingException json) {
                return json(json, uri);
            }
        }
        int status = e.getResponse().getStatus();
        if (status == 415) {
            metrics.rejectedRequest(uri.getPath(), "unsupported_media_type");
        } else if (status == 413) {
            metrics.rejectedRequest(uri.getPath(), "too_large");
        }
        Response.Status known = Response.Status.fromStatusCode(status);
        String title = known == null ? "HTTP " + status : known.getReasonPhrase();
        return respond(status, title, detailFor(status), uri, null);
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e, UriInfo uri) {
        String state = sqlState(e);
        if (state != null
                && (state.startsWith("08")
                        || state.equals("40001")
                        || state.equals("40P01")
                        || state.equals("57P01")
                        || state.equals("57P03"))) {
            // Connection lost, serialization failure or deadlock: nothing was stored, and the same
            // request will succeed later. Platforms retry on 503; a 500 would read as a bug.
            LOG.warnf("Database unavailable or conflicting (SQLState %s) on %s", state, uri.getPath());
            Response r = respond(
                    503,
                    "Service Unavailable",
                    "The database is busy or unavailable; nothing was stored. Retry shortly.",
                    uri,
                    null);
            return Response.fromResponse(r).header("Retry-After", "5").build();
        }
        // The id ties the client's answer to the log line without telling the client anything internal.
        String errorId = UUID.randomUUID().toString();
        LOG.errorf(e, "Unexpected error %s on %s", errorId, uri.getPath());
        return respond(
                500,
                "Internal Server Error",
                "Something went wrong on our side (error id " + errorId + ").",
                uri,
                null);
    }

    private static String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }

    private static String detailFor(int status) {
        return switch (status) {
            case 404 -> "No resource at this address.";
            case 405 -> "This method is not allowed here.";
            case 406 -> "The requested media type is not available here: ask for application/json or text/csv.";
            case 413 -> "The request body is larger than the limit; send smaller batches.";
            case 415 -> "Send the body as application/json.";
            default -> "The request could not be served.";
        };
    }

    /** Method-parameter paths look like {@code summary.arg2}: keep the last node only. */
    private static String leaf(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? path : path.substring(dot + 1);
    }

    static Response respond(int status, String title, String detail, UriInfo uri, List<Violation> violations) {
        var body = Problem.of(status, title, detail, uri == null ? null : uri.getPath(), violations);
        return Response.status(status).type(Problem.MEDIA_TYPE).entity(body).build();
    }
}

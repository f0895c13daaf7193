package io.rapport.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.rapport.http.Routes;
import io.rapport.metrics.IngestMetrics;
import io.rapport.metrics.Rejection;
import io.vertx.ext.web.RoutingContext;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The one place where exceptions become HTTP answers: always problem+json, never a stack trace. */
public class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    private final IngestMetrics metrics;

    /** The request being answered, for the path it was routed by. */
    private final RoutingContext http;

    public ProblemMapper(IngestMetrics metrics, RoutingContext http) {
        this.metrics = metrics;
        this.http = http;
    }

    @ServerExceptionMapper
    public Response problem(ProblemException e, UriInfo uri) {
        if (e.status() == 400) {
            metrics.rejectedRequest(uri.getPath(), e.unreadable() ? Rejection.MALFORMED : Rejection.VALIDATION);
        } else if (e.status() == 413) {
            metrics.rejectedRequest(uri.getPath(), Rejection.TOO_LARGE);
        } else if (e.status() == 415) {
            metrics.rejectedRequest(uri.getPath(), Rejection.UNSUPPORTED_MEDIA_TYPE);
        }
        Response r = respond(e.status(), e.title(), e.getMessage(), uri, e.violations());
        return e.retryAfterSeconds() == null
                ? r
                : Response.fromResponse(r)
                        .header("Retry-After", e.retryAfterSeconds())
                        .build();
    }

    static final String TOKEN_REQUIRED = "A valid bearer token is required: send Authorization: Bearer <token>.";
    static final String BEARER_CHALLENGE = "Bearer realm=\"rapport\"";

    // With lazy authentication a bad token surfaces here, so every 401 is the same problem+json,
    // and none tells the caller which check failed (expired, issuer, signature, algorithm).
    @ServerExceptionMapper({AuthenticationFailedException.class, UnauthorizedException.class})
    public Response unauthenticated(UriInfo uri) {
        Response r = respond(401, "Unauthorized", TOKEN_REQUIRED, uri, null);
        return Response.fromResponse(r)
                .header("WWW-Authenticate", BEARER_CHALLENGE)
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
        metrics.rejectedRequest(uri.getPath(), Rejection.MALFORMED);
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
                .sorted(Violation.BY_FIELD)
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
            metrics.rejectedRequest(uri.getPath(), Rejection.UNSUPPORTED_MEDIA_TYPE);
        } else if (status == 413) {
            metrics.rejectedRequest(uri.getPath(), Rejection.TOO_LARGE);
        }
        Response.Status known = Response.Status.fromStatusCode(status);
        String title = known == null ? "HTTP " + status : known.getReasonPhrase();
        String detail = detailFor(status);
        // The address as routed (dot segments resolved, escapes of unreserved characters decoded,
        // an encoded slash kept): decoded whole, an encoded slash made one segment more and
        // matched no route, so a 405 lost its Allow header.
        if (status == 406) {
            Set<String> produced = Routes.produced(http.normalizedPath());
            if (!produced.isEmpty()) {
                detail = "This endpoint answers only in " + String.join(" or ", produced)
                        + "; ask for one of them in Accept.";
            }
        }
        Response r = respond(status, title, detail, uri, null);
        if (status == 405) {
            // RFC 9110: a 405 must say which methods the resource does support.
            Set<String> allowed = Routes.allowed(http.normalizedPath());
            if (!allowed.isEmpty()) {
                r = Response.fromResponse(r)
                        .header("Allow", String.join(", ", allowed))
                        .build();
            }
        }
        return r;
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e, UriInfo uri) {
        if (databaseUnavailable(e)) {
            // The database did not answer in time, is away, or the write conflicted. The request may
            // or may not have been stored, and the same request will succeed later: ingest is
            // idempotent, so platforms retry on 503 with the same event. A 500 would read as a bug.
            // The route, never the path: an id in it may be anything a caller typed (SentinelTest).
            LOG.warnf("Database unavailable, slow or conflicting (%s) on %s", cause(e), Routes.where(uri.getPath()));
            return unavailable(uri);
        }
        if (unstorableCharacter(e)) {
            // A NUL in a path or query parameter: PostgreSQL text cannot hold it (SQLState 22021).
            return respond(
                    400,
                    "Invalid request",
                    "A parameter holds a character that cannot be stored, such as NUL (U+0000).",
                    uri,
                    null);
        }
        Incomplete incomplete = incompleteBody(e);
        if (incomplete != null) {
            // The client's failure, not the service's: one line, no stack trace, no 5xx to page anyone.
            LOG.infof(
                    "Request body on %s ended before its Content-Length: %s",
                    Routes.where(uri.getPath()), incomplete.why);
            Response r = respond(
                    incomplete.status,
                    incomplete.status == 408 ? "Request Timeout" : "Invalid request",
                    "The request body ended before its Content-Length (" + incomplete.why
                            + "). Nothing of it was stored: send it again, whole.",
                    uri,
                    null);
            // RFC 9110 15.5.9: the server closes the connection after a 408.
            return incomplete.status == 408
                    ? Response.fromResponse(r).header("Connection", "close").build()
                    : r;
        }
        // The id ties the client's answer to the log line without telling the client anything internal.
        String errorId = UUID.randomUUID().toString();
        LOG.errorf(e, "Unexpected error %s on %s", errorId, Routes.where(uri.getPath()));
        return respond(
                500,
                "Internal Server Error",
                "Something went wrong on our side (error id " + errorId + ").",
                uri,
                null);
    }

    /** Seconds a client should wait before retrying after a 503. */
    static final String RETRY_AFTER_SECONDS = "2";

    static Response unavailable(UriInfo uri) {
        Response r = respond(
                503,
                "Service Unavailable",
                "The database is unavailable, too slow or busy. The request may not have been stored: "
                        + "retry the same request after Retry-After seconds; retries are idempotent.",
                uri,
                null);
        return Response.fromResponse(r)
                .header("Retry-After", RETRY_AFTER_SECONDS)
                .build();
    }

    /**
     * Lost or refused connections (08), statement timeout (57014), server shutting down or starting
     * (57P01, 57P03), too many connections (53300), serialization failure and deadlock (40001,
     * 40P01), and the pool's own acquisition timeouts (no connection made, or none free, in time),
     * which carry no SQLState or cut a login short.
     */
    static boolean databaseUnavailable(Throwable e) {
        for (Throwable t : causes(e)) {
            if (t instanceof java.sql.SQLException sql) {
                String state = sql.getSQLState();
                if (state != null
                        && (state.startsWith("08")
                                || state.equals("57014")
                                || state.equals("57P01")
                                || state.equals("57P03")
                                || state.equals("53300")
                                || state.equals("40001")
                                || state.equals("40P01"))) {
                    return true;
                }
                // Agroal's two: no connection could be made in time, or none came free in time.
                if (state == null
                        && sql.getMessage() != null
                        && (sql.getMessage().startsWith("Acquisition timeout")
                                || sql.getMessage().startsWith("Sorry, acquisition timeout"))) {
                    return true;
                }
            }
            if (t instanceof java.net.SocketTimeoutException
                    || t instanceof java.net.ConnectException
                    || t instanceof InterruptedException) {
                return true;
            }
            // pgjdbc's login, cut off by the pool's acquisition timeout, fails as SQLState 99999.
            if (t.getMessage() != null && t.getMessage().startsWith("Interrupted while attempting to connect")) {
                return true;
            }
        }
        return false;
    }

    /** Why a request body did not arrive whole, and the answer that says so. */
    private enum Incomplete {
        STALLED(408, "it stopped coming for longer than the read timeout"),
        CLOSED(400, "the client closed the connection");

        final int status;
        final String why;

        Incomplete(int status, String why) {
            this.status = status;
            this.why = why;
        }
    }

    /**
     * Reading the body failed because the client stopped sending it: the request stream's own
     * read timeout (a plain IOException, where the database driver's is a SocketTimeoutException
     * inside an SQLException), or the connection closed under it.
     */
    private static Incomplete incompleteBody(Throwable e) {
        if (causes(e).stream().anyMatch(t -> t instanceof java.sql.SQLException)) {
            return null;
        }
        // The causes only, not what they suppressed: a server failure that merely suppressed a
        // closed connection is still a server failure. Bounded: these chains can loop.
        Throwable t = e;
        for (int depth = 0; t != null && depth < 20; depth++, t = t.getCause()) {
            // Which of the two a closed connection gives depends on whether the HTTP layer or the
            // body's reader sees the close first.
            if (t instanceof io.vertx.core.http.HttpClosedException
                    || t instanceof java.nio.channels.ClosedChannelException) {
                return Incomplete.CLOSED;
            }
            if (t.getClass() == java.io.IOException.class && "Read timed out".equals(t.getMessage())) {
                return Incomplete.STALLED;
            }
        }
        return null;
    }

    private static boolean unstorableCharacter(Throwable e) {
        for (Throwable t : causes(e)) {
            if (t instanceof java.sql.SQLException sql && "22021".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * The exception, its causes and what they suppressed. A failed commit arrives as a
     * RollbackException whose driver error is only among the suppressed ones.
     */
    private static List<Throwable> causes(Throwable e) {
        List<Throwable> out = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Throwable> todo = new ArrayDeque<>();
        todo.add(e);
        while (!todo.isEmpty() && out.size() < 50) {
            Throwable t = todo.poll();
            if (t == null || !seen.add(t)) {
                continue;
            }
            out.add(t);
            if (t.getCause() != null) {
                todo.add(t.getCause());
            }
            todo.addAll(List.of(t.getSuppressed()));
        }
        return out;
    }

    private static String cause(Throwable e) {
        for (Throwable t : causes(e)) {
            if (t instanceof java.sql.SQLException sql) {
                return sql.getSQLState() == null ? "pool: " + sql.getMessage() : "SQLState " + sql.getSQLState();
            }
        }
        return e.getClass().getSimpleName();
    }

    private static String detailFor(int status) {
        return switch (status) {
            case 404 -> "No resource at this address.";
            case 405 -> "This method is not allowed here.";
            case 406 -> "This endpoint cannot answer in the media type the Accept header asks for.";
            case 413 -> "The request body is larger than the limit.";
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

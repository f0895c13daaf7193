package io.rapport.error;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;
import java.util.Locale;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** An RFC 9457 problem document, served as {@code application/problem+json}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(
        name = "Problem",
        description = "RFC 9457 problem details",
        requiredProperties = {"type", "title", "status"})
public record Problem(
        String type, String title, int status, String detail, String instance, List<Violation> violations) {

    public static final String MEDIA_TYPE = "application/problem+json";

    /** A problem whose {@code type} is named after its title, e.g. {@code urn:rapport:problem:not-found}. */
    public static Problem of(int status, String title, String detail, String instance, List<Violation> violations) {
        String slug =
                title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
        return new Problem("urn:rapport:problem:" + slug, title, status, detail, instance, violations);
    }

    /**
     * A 503 with Retry-After from a filter that refuses a request before its body is read (the
     * instance is shutting down, or serving all it takes): nothing of it was stored, and the
     * connection is closed, since the unread body could not be told from a next request.
     */
    static void refuseUnread(HttpServerResponse response, String path, String detail, ObjectMapper mapper) {
        response.putHeader("Retry-After", ProblemMapper.RETRY_AFTER_SECONDS).putHeader(HttpHeaders.CONNECTION, "close");
        of(503, "Service Unavailable", detail, path, null).send(response, mapper);
    }

    /**
     * Answers with this problem, its status and its media type, for a filter that answers a
     * request itself, before any resource or mapper. Headers of the caller's own go on first.
     */
    void send(HttpServerResponse response, ObjectMapper mapper) {
        String body;
        try {
            body = mapper.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        response.setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, MEDIA_TYPE)
                .end(body);
    }
}

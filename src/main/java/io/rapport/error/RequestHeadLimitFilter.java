package io.rapport.error;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.rapport.config.Limits;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;

/**
 * Refuses a request line over {@link Limits#MAX_REQUEST_LINE} characters with a problem+json 414,
 * and headers over {@link Limits#MAX_HEADER_BYTES} with a 431, before anything else reads them.
 * The HTTP codec answers both with an empty body, closing the connection, and Quarkus offers no
 * hook into that answer; so the codec's limits are set above these (application.properties), and
 * only what is beyond those still gets the codec's empty one. The connection is closed, as the
 * codec closes it: a client that sends such a request is not one to keep talking to. On the API's
 * port only: the management port (health, metrics) keeps the codec's own limits and answers.
 */
@ApplicationScoped
class RequestHeadLimitFilter {

    private final ObjectMapper mapper;

    RequestHeadLimitFilter(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    void register(@Observes Filters filters) {
        filters.register(
                rc -> {
                    Problem refused = refusal(rc);
                    if (refused != null) {
                        rc.response().putHeader(HttpHeaders.CONNECTION, "close");
                        refused.send(rc.response(), mapper);
                        return;
                    }
                    rc.next();
                },
                // Ahead of the body and query limits (100, 90): a request is judged by its head first.
                110);
    }

    /**
     * Why the request's head is refused, or null. A 414 leaves the instance out, as the address
     * is the long part; a 431's is its path, as every other problem's.
     */
    private static Problem refusal(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        int line = request.method().name().length() + 1 + request.uri().length() + 1 + "HTTP/1.1".length();
        if (line > Limits.MAX_REQUEST_LINE) {
            return Problem.of(
                    414,
                    "URI Too Long",
                    "The request line is longer than " + Limits.MAX_REQUEST_LINE
                            + " characters; no endpoint takes an address or query that long.",
                    null,
                    null);
        }
        long bytes = 0;
        for (Map.Entry<String, String> h : request.headers()) {
            bytes += h.getKey().length() + 2 + h.getValue().length();
        }
        if (bytes > Limits.MAX_HEADER_BYTES) {
            return Problem.of(
                    431,
                    "Request Header Fields Too Large",
                    "The request headers are larger than " + Limits.MAX_HEADER_BYTES + " bytes.",
                    rc.normalizedPath(),
                    null);
        }
        return null;
    }
}

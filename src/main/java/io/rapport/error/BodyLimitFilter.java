package io.rapport.error;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.quarkus.vertx.http.runtime.VertxHttpRecorder;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.rapport.metrics.IngestMetrics;
import io.rapport.metrics.Rejection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses a body larger than quarkus.http.limits.max-body-size with a problem+json 413. A body
 * that declares its length is refused here before it is read. A chunked one declares none, so it
 * is refused while it is read, by {@link BodyLimitInterceptor}: the HTTP layer's own check of
 * such a body answered an empty 413 and logged an error for each. That check stays as a backstop
 * at twice the limit, which the interceptor always reaches first.
 */
@ApplicationScoped
class BodyLimitFilter {

    private final IngestMetrics metrics;
    private final ObjectMapper mapper;
    private final long maxBytes;

    BodyLimitFilter(
            IngestMetrics metrics,
            ObjectMapper mapper,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize) {
        this.metrics = metrics;
        this.mapper = mapper;
        this.maxBytes = maxBodySize.asLongValue();
    }

    void register(@Observes Filters filters) {
        filters.register(
                rc -> {
                    String length = rc.request().getHeader(HttpHeaders.CONTENT_LENGTH);
                    if (length != null && tooLarge(length)) {
                        metrics.rejectedRequest(rc.normalizedPath(), Rejection.TOO_LARGE);
                        rc.response().putHeader(HttpHeaders.CONNECTION, "close");
                        problem(rc.normalizedPath()).send(rc.response(), mapper);
                        return;
                    }
                    rc.next();
                },
                100);
    }

    /**
     * Right after the HTTP layer's limit route, which leaves the limit of a chunked body in the
     * request's data for the body reader to apply: doubled there, so {@link BodyLimitInterceptor}
     * answers first. The rest of a refused chunked body is never read, so its connection closes.
     */
    void takeOverChunkedBodies(@Observes Router router) {
        router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT + 1).handler(rc -> {
            if (rc.get(VertxHttpRecorder.MAX_REQUEST_SIZE_KEY) != null) {
                rc.put(VertxHttpRecorder.MAX_REQUEST_SIZE_KEY, 2 * maxBytes);
                rc.addHeadersEndHandler(v -> {
                    if (rc.response().getStatusCode() == 413) {
                        rc.response().putHeader(HttpHeaders.CONNECTION, "close");
                    }
                });
            }
            rc.next();
        });
    }

    private Problem problem(String path) {
        return Problem.of(413, "Payload Too Large", detail(path, maxBytes), path, null);
    }

    static String detail(String path, long maxBytes) {
        return path.endsWith("/batch")
                ? "The request body is larger than " + maxBytes + " bytes; split the batch."
                : "The request body is larger than " + maxBytes + " bytes.";
    }

    private boolean tooLarge(String length) {
        try {
            return Long.parseLong(length.trim()) > maxBytes;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}

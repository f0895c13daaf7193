package io.rapport.error;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.rapport.metrics.IngestMetrics;
import io.vertx.core.http.HttpHeaders;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses a body declared larger than quarkus.http.limits.max-body-size before reading it, with a
 * problem+json 413; the HTTP layer's own check of that limit stays as the backstop for chunked
 * bodies, which declare no length.
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
                        metrics.rejectedRequest(rc.normalizedPath(), "too_large");
                        rc.response().putHeader(HttpHeaders.CONNECTION, "close");
                        problem(rc.normalizedPath()).send(rc.response(), mapper);
                        return;
                    }
                    rc.next();
                },
                100);
    }

    private Problem problem(String path) {
        return Problem.of(
                413,
                "Payload Too Large",
                path.endsWith("/batch")
                        ? "The request body is larger than " + maxBytes + " bytes; split the batch."
                        : "The request body is larger than " + maxBytes + " bytes.",
                path,
                null);
    }

    private boolean tooLarge(String length) {
        try {
            return Long.parseLong(length.trim()) > maxBytes;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}

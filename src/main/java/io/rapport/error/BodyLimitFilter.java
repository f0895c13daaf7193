package io.rapport.error;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.rapport.metrics.IngestMetrics;
import io.vertx.core.http.HttpHeaders;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Refuses a body declared larger than 1 MiB before reading it, with a problem+json 413. The HTTP
 * layer's own limit (quarkus.http.limits.max-body-size) stays as the backstop for chunked bodies.
 */
@ApplicationScoped
class BodyLimitFilter {

    static final long MAX_BODY_BYTES = 1024 * 1024;

    private final IngestMetrics metrics;

    BodyLimitFilter(IngestMetrics metrics) {
        this.metrics = metrics;
    }

    void register(@Observes Filters filters) {
        filters.register(
                rc -> {
                    String length = rc.request().getHeader(HttpHeaders.CONTENT_LENGTH);
                    if (length != null && tooLarge(length)) {
                        metrics.rejectedRequest(rc.normalizedPath(), "too_large");
                        rc.response()
                                .setStatusCode(413)
                                .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                                .putHeader(HttpHeaders.CONNECTION, "close")
                                .end(
                                        "{\"type\":\"urn:rapport:problem:payload-too-large\",\"title\":\"Payload Too Large\","
                                                + "\"status\":413,\"detail\":\"The request body is larger than 1 MiB; send smaller batches.\","
                                                + "\"instance\":\"" + jsonSafe(rc.normalizedPath()) + "\"}");
                        return;
                    }
                    rc.next();
                },
                100);
    }

    private static boolean tooLarge(String length) {
        try {
            return Long.parseLong(length.trim()) > MAX_BODY_BYTES;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String jsonSafe(String path) {
        return path == null ? "" : path.replaceAll("[^A-Za-z0-9._:/-]", "");
    }
}

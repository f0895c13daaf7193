package io.rapport.error;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Once the shutdown delay is over, a new request is answered 503 problem+json with Retry-After
 * and the connection closed, before its body is read: the platform retries it elsewhere, and
 * nothing of it is half-written. Quarkus's own graceful shutdown would still serve it, racing the
 * database's stop. Requests already in flight are not touched: they have
 * quarkus.shutdown.timeout to finish.
 */
@ApplicationScoped
class ShutdownFilter {

    private static final String SHUTTING_DOWN =
            "This instance is shutting down; nothing of this request was stored. Retry it.";

    private final ObjectMapper mapper;
    private final Vertx vertx;
    private final Duration delay;
    private volatile boolean refusing;

    ShutdownFilter(
            ObjectMapper mapper,
            Vertx vertx,
            @ConfigProperty(name = "quarkus.shutdown.delay") Optional<Duration> delay) {
        this.mapper = mapper;
        this.vertx = vertx;
        this.delay = delay.orElse(Duration.ZERO);
    }

    void register(@Observes Filters filters) {
        filters.register(
                rc -> {
                    if (refusing) {
                        Problem.refuseUnread(rc.response(), rc.normalizedPath(), SHUTTING_DOWN, mapper);
                        return;
                    }
                    rc.next();
                },
                200);
    }

    /** Readiness is DOWN from here on; requests are still served until the delay is over. */
    void onDelay(@Observes ShutdownDelayInitiatedEvent event) {
        if (delay.isZero()) {
            refusing = true;
        } else {
            vertx.setTimer(delay.toMillis(), id -> refusing = true);
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        refusing = true;
    }
}

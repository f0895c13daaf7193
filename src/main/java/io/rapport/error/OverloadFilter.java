package io.rapport.error;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.rapport.config.RapportConfig;
import io.rapport.http.Routes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Refuses an API request at once, 503 problem+json with Retry-After, while
 * {@code rapport.http.max-in-flight} API requests are already being served. Each request takes one
 * of the worker pool's 200 threads; past them a request waited in the pool's queue before its own
 * bounded wait for the database began, so on a frozen database 500 requests at once were answered
 * in waves of 2 s, the last after 6, and readiness, which needs a worker thread too, as late. The
 * body of a refused request is not read, so its connection is closed, as on shutdown.
 */
@ApplicationScoped
class OverloadFilter {

    /** After ShutdownFilter (200): an instance going away says so, not that it is busy. */
    private static final int PRIORITY = 190;

    private static final String BUSY = "This instance is serving as many requests as it takes at once;"
            + " nothing of this request was stored. Retry it.";

    private final ObjectMapper mapper;
    private final int limit;
    private final AtomicInteger inFlight = new AtomicInteger();

    OverloadFilter(ObjectMapper mapper, RapportConfig config) {
        this.mapper = mapper;
        this.limit = config.http().maxInFlight();
    }

    void register(@Observes Filters filters) {
        filters.register(
                rc -> {
                    if (!Routes.isApi(rc.normalizedPath())) {
                        rc.next();
                        return;
                    }
                    if (inFlight.incrementAndGet() > limit) {
                        inFlight.decrementAndGet();
                        Problem.refuseUnread(rc.response(), rc.normalizedPath(), BUSY, mapper);
                        return;
                    }
                    // Called once, when the response ends or the connection closes before it does.
                    rc.addEndHandler(done -> inFlight.decrementAndGet());
                    rc.next();
                },
                PRIORITY);
    }
}

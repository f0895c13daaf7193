package io.rapport.error;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.rapport.config.RapportConfig;
import io.rapport.http.Routes;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveContainerRequestContext;

/**
 * Refuses an API request at once, 503 problem+json with Retry-After, while
 * {@code rapport.http.max-in-flight} API requests are already being served. Each request takes one
 * of the worker pool's 200 threads; past them a request waited in the pool's queue before its own
 * bounded wait for the database began, so on a frozen database 500 requests at once were answered
 * in waves of 2 s, the last after 6, and readiness, which needs a worker thread too, as late. The
 * body of a refused request is not read, so its connection is closed, as on shutdown.
 *
 * <p>A request holds its place until its response has ended and, once the endpoint layer has it,
 * until that layer is done with it. A client that hangs up ends the response at once, but the
 * worker thread goes on waiting for the database; had the place been freed then, platforms that
 * time out and retry on a stalled database would have been let in again and again, past the limit
 * and into the worker pool's queue, which is what the limit is there to prevent.
 */
@ApplicationScoped
class OverloadFilter {

    /** After ShutdownFilter (200): an instance going away says so, not that it is busy. */
    private static final int PRIORITY = 190;

    private static final String PLACE = OverloadFilter.class.getName() + ".place";

    private static final String BUSY = "This instance is serving as many requests as it takes at once;"
            + " nothing of this request was stored. Retry it.";

    private final ObjectMapper mapper;
    private final int limit;
    private final AtomicInteger inFlight = new AtomicInteger();

    OverloadFilter(ObjectMapper mapper, RapportConfig config, MeterRegistry registry) {
        this.mapper = mapper;
        this.limit = config.http().maxInFlight();
        Gauge.builder("rapport.http.requests.in.flight", inFlight, AtomicInteger::get)
                .description("API requests holding a place under rapport.http.max-in-flight, a hung-up"
                        + " one until its worker is done")
                .register(registry);
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
                    Place place = new Place(inFlight);
                    rc.put(PLACE, place);
                    // Called once, when the response ends or the connection closes before it does.
                    rc.addEndHandler(done -> place.release());
                    rc.next();
                },
                PRIORITY);
    }

    /**
     * Pre-matching, so it runs for every request the endpoint layer takes, before that layer hands
     * it to a worker thread; the callback runs when the layer is done with it, on whatever thread
     * finished it, after the response was written or the write failed for want of a client.
     */
    @ServerRequestFilter(preMatching = true, priority = Integer.MIN_VALUE)
    void holdPlaceUntilDone(ResteasyReactiveContainerRequestContext request, RoutingContext rc) {
        Place place = rc.get(PLACE);
        if (place != null && place.retain()) {
            request.getServerRequestContext().registerCompletionCallback(failure -> place.release());
        }
    }

    /**
     * One request's place: held by its response and, when the endpoint layer takes it, by that
     * layer, and given back when both are done.
     */
    private static final class Place {

        private final AtomicInteger holders = new AtomicInteger(1);
        private final AtomicInteger inFlight;

        Place(AtomicInteger inFlight) {
            this.inFlight = inFlight;
        }

        /** False when the place was already given back: a client gone before the layer took it. */
        boolean retain() {
            int held;
            do {
                held = holders.get();
                if (held == 0) {
                    return false;
                }
            } while (!holders.compareAndSet(held, held + 1));
            return true;
        }

        void release() {
            if (holders.decrementAndGet() == 0) {
                inFlight.decrementAndGet();
            }
        }
    }
}

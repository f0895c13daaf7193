package io.rapport.bench;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * An open-model load client: requests go out at a fixed offered rate whatever the answers do, and
 * each one's latency counts from the moment it was meant to start, so a stalled server cannot hide
 * behind a waiting client (no coordinated omission).
 *
 * <p>At most {@link #CONNECTIONS} requests are in flight, as from a platform's connection pool: a
 * request that finds them all busy waits for one, and that wait counts in its latency. Without the
 * bound the JDK client opened a connection for every request in flight while the service was slow
 * (a JIT warming up), kept them all alive, and the service ended a 120 s warm-up holding 19,670
 * open sockets, at this machine's limit of 20,000 descriptors, where neither process could open a
 * file any more.
 */
final class OpenModel {

    static final int CONNECTIONS = Integer.getInteger("bench.open.connections", 64);

    /**
     * Every request ends, answered or failed, so a connection the service never answers on frees
     * its permit instead of stopping the client for good.
     */
    static final Duration TIMEOUT = Duration.ofSeconds(Integer.getInteger("bench.open.timeout-seconds", 60));

    /** Latencies in microseconds, and how many requests did not get the expected status. */
    record Latencies(Histogram histogram, int failed) {}

    private OpenModel() {}

    static Latencies send(HttpClient http, int rate, List<HttpRequest> requests, int expectedStatus) throws Exception {
        // Auto-resizing: an overloaded service may answer minutes late, and that is the figure to show.
        Histogram latencies = new ConcurrentHistogram(3);
        AtomicInteger failed = new AtomicInteger();
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime() + 50_000_000L;
        List<HttpRequest> timed = new ArrayList<>(requests.size());
        for (HttpRequest r : requests) {
            timed.add(HttpRequest.newBuilder(r, (name, value) -> true)
                    .timeout(TIMEOUT)
                    .build());
        }
        Semaphore connections = new Semaphore(CONNECTIONS);
        List<CompletableFuture<Void>> inFlight = new ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            long intended = start + i * interval;
            long wait = intended - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            connections.acquire();
            inFlight.add(http.sendAsync(timed.get(i), HttpResponse.BodyHandlers.discarding())
                    .handle((response, error) -> {
                        connections.release();
                        latencies.recordValue(Math.max(1, (System.nanoTime() - intended) / 1000));
                        if (error != null || response.statusCode() != expectedStatus) {
                            failed.incrementAndGet();
                        }
                        return null;
                    }));
        }
        CompletableFuture.allOf(inFlight.toArray(new CompletableFuture[0])).get();
        return new Latencies(latencies, failed.get());
    }
}

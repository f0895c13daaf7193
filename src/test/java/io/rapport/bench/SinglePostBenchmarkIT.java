package io.rapport.bench;

import io.rapport.support.PackagedApp;
import io.rapport.support.Tokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Single visit posts against the packaged service in its own process, as a platform meets it: its
 * own durable embedded PostgreSQL, the container image's JVM settings (Serial GC, the heap
 * run-java.sh gives the Deployment's 768Mi limit), and the load client in this JVM, apart from
 * it. Open model: each request has an intended start time, at a fixed offered rate, and its
 * latency counts from then (no coordinated omission). A warm-up at the same rate lets the JIT
 * compile the path first. Prints the latency percentiles and the service's largest RSS during the
 * measured part; asserts nothing about speed.
 *
 * <p>{@code ./mvnw verify -Pbench -DskipITs=false -Dtest=NoSuchTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=SinglePostBenchmarkIT} (-Dbench.single.rate=500,
 * -Dbench.single.seconds=30, -Dbench.single.warmup=30)
 */
class SinglePostBenchmarkIT {

    private static final int RATE = Integer.getInteger("bench.single.rate", 500);
    private static final int SECONDS = Integer.getInteger("bench.single.seconds", 30);
    private static final int WARMUP_SECONDS = Integer.getInteger("bench.single.warmup", 30);

    @TempDir
    Path work;

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void singlePostsAtAFixedRate() throws Exception {
        Map<String, String> env = PackagedApp.prodSettings(
                "RAPPORT_EMBEDDED_DB_DATA_DIR", work.resolve("pg").toString(),
                // The platform is not throttled: this measures the service.
                "RAPPORT_INGEST_RATE_LIMIT", "1000000",
                "RAPPORT_INGEST_RATE_LIMIT_BURST", "1000000");
        try (PackagedApp app = PackagedApp.start(
                work.resolve("run"), env, List.of("-XX:+UseSerialGC", "-XX:MaxRAMPercentage=50", "-Xmx384m"))) {
            if (!app.awaitManagement200("/q/health/ready", Duration.ofSeconds(120))) {
                throw new IllegalStateException("never became ready:\n" + app.output());
            }
            String bearer = Tokens.bearer(Tokens.token("bench-platform", List.of("ingest"), List.of("*")));
            URI uri = URI.create("http://127.0.0.1:" + app.httpPort() + "/api/v1/visits");

            run(uri, bearer, "warm", WARMUP_SECONDS);
            AtomicLong maxRss = new AtomicLong();
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    maxRss.accumulateAndGet(app.rssKb(), Math::max);
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.start();
            long cpuBefore = app.cpuMillis();
            Result r;
            try {
                r = run(uri, bearer, "measured", SECONDS);
            } finally {
                sampler.interrupt();
                sampler.join();
            }
            long cpu = app.cpuMillis() - cpuBefore;
            Histogram h = r.latencies();
            System.out.printf(
                    "BENCH single POST /visits, packaged service, %d/s offered for %d s after %d s of warm-up"
                            + " (open model): p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms,"
                            + " %d of %d not 201; service CPU %.2f ms per request; service RSS max %d MB%n",
                    RATE,
                    SECONDS,
                    WARMUP_SECONDS,
                    h.getValueAtPercentile(50) / 1000.0,
                    h.getValueAtPercentile(90) / 1000.0,
                    h.getValueAtPercentile(99) / 1000.0,
                    h.getValueAtPercentile(99.9) / 1000.0,
                    h.getMaxValue() / 1000.0,
                    r.failed(),
                    h.getTotalCount(),
                    (double) cpu / h.getTotalCount(),
                    maxRss.get() / 1024);
        }
    }

    private record Result(Histogram latencies, int failed) {}

    private Result run(URI uri, String bearer, String phase, int seconds) throws Exception {
        Histogram latencies = new ConcurrentHistogram(3);
        AtomicInteger failed = new AtomicInteger();
        int total = RATE * seconds;
        List<byte[]> bodies = new ArrayList<>(total);
        for (int i = 0; i < total; i++) {
            bodies.add(visit(phase + "-" + i, i).getBytes(StandardCharsets.UTF_8));
        }
        long interval = 1_000_000_000L / RATE;
        long start = System.nanoTime() + 50_000_000L;
        List<CompletableFuture<Void>> inFlight = new ArrayList<>(total);
        for (int i = 0; i < total; i++) {
            long intended = start + i * interval;
            long wait = intended - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            HttpRequest request = HttpRequest.newBuilder(uri)
                    .header("Content-Type", "application/json")
                    .header("Authorization", bearer)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(bodies.get(i)))
                    .build();
            inFlight.add(http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                    .handle((response, error) -> {
                        latencies.recordValue(Math.max(1, (System.nanoTime() - intended) / 1000));
                        if (error != null || response.statusCode() != 201) {
                            failed.incrementAndGet();
                        }
                        return null;
                    }));
        }
        CompletableFuture.allOf(inFlight.toArray(new CompletableFuture[0])).get();
        return new Result(latencies, failed.get());
    }

    /** A new video visit; 40 providers, 2,000 patients, in one clinic. */
    private static String visit(String visitId, int i) {
        return """
                {"clinicId":"bench-single","visitId":"%s","providerId":"prov-%d","patientId":"patient-%d",\
                "modality":"VIDEO","scheduledStart":"2026-11-01T09:56:00Z","startedAt":"2026-11-01T10:00:00Z",\
                "endedAt":"2026-11-01T10:30:00Z","faceToFaceSeconds":1200,"documentationSeconds":600,\
                "afterHoursDocumentationSeconds":120,"responseLatencySeconds":2.5,"patientTalkShare":0.4,\
                "connectionDrops":1}""".formatted(visitId, i % 40, i % 2000);
    }
}

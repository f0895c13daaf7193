package io.rapport.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rapport.support.ContainerImage;
import io.rapport.support.Fixtures;
import io.rapport.support.PackagedApp;
import io.rapport.support.Tokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Single visit posts against the packaged service in its own process, as a platform meets it: its
 * own durable embedded PostgreSQL, the container image's JVM options (from docker/Dockerfile.jvm,
 * under the Deployment's memory limit), and the load client in this JVM, apart from it. Open model: each request has an intended start time, at a fixed offered rate, and its
 * latency counts from then (no coordinated omission), through at most {@link
 * OpenModel#CONNECTIONS} connections. A warm-up at the same rate lets the JIT compile the path
 * first: 120 s, since the image delays C2 (three times the default thresholds) and after 30 s the
 * service still spent 1.17 ms of CPU per post against 0.62-0.82 ms after 120 s. Prints the latency
 * percentiles and the service's largest RSS during the measured part; asserts nothing about speed.
 *
 * <p>{@code ./mvnw verify -Pbench -DskipITs=false -Dtest=NoSuchTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=SinglePostBenchmarkIT} (-Dbench.single.rate=500,
 * -Dbench.single.seconds=30, -Dbench.single.warmup=120, -Dbench.open.connections=64)
 */
class SinglePostBenchmarkIT {

    private static final int RATE = Integer.getInteger("bench.single.rate", 500);
    private static final int SECONDS = Integer.getInteger("bench.single.seconds", 30);
    private static final int WARMUP_SECONDS = Integer.getInteger("bench.single.warmup", 120);

    @TempDir
    Path work;

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void singlePostsAtAFixedRate() throws Exception {
        Map<String, String> env = PackagedApp.prodSettings(
                "RAPPORT_EMBEDDED_DB_DATA_DIR", work.resolve("pg").toString(),
                // The platform is not throttled: this measures the service.
                "RAPPORT_INGEST_RATE_LIMIT", "1000000",
                "RAPPORT_INGEST_RATE_LIMIT_BURST", "1000000");
        try (PackagedApp app = PackagedApp.start(work.resolve("run"), env, ContainerImage.jvmOptionsWithoutArchive())) {
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
            OpenModel.Latencies r;
            try {
                r = run(uri, bearer, "measured", SECONDS);
            } finally {
                sampler.interrupt();
                sampler.join();
            }
            long cpuAfter = app.cpuMillis();
            Histogram h = r.histogram();
            // /proc may be unreadable from here (-1): say so rather than print a figure of 0. Seen
            // after long warm-ups, possibly with this JVM out of file descriptors (not confirmed).
            String cpu = cpuBefore < 0 || cpuAfter < 0
                    ? "not read"
                    : String.format("%.2f ms", (double) (cpuAfter - cpuBefore) / h.getTotalCount());
            String rss = maxRss.get() <= 0 ? "not read" : maxRss.get() / 1024 + " MB";
            System.out.printf(
                    "BENCH single POST /visits, packaged service, %d/s offered for %d s after %d s of warm-up"
                            + " (open model): p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms,"
                            + " %d of %d not 201; service CPU per request %s; service RSS max %s%n",
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
                    cpu,
                    rss);
        }
    }

    /** New visits, 40 providers and 2,000 patients in one clinic, at the offered rate. */
    private OpenModel.Latencies run(URI uri, String bearer, String phase, int seconds) throws Exception {
        List<HttpRequest> requests = new ArrayList<>(RATE * seconds);
        for (int i = 0; i < RATE * seconds; i++) {
            Map<String, Object> visit = Fixtures.with(
                    Fixtures.visit("bench-single", phase + "-" + i),
                    "providerId",
                    "prov-" + (i % 40),
                    "patientId",
                    "patient-" + (i % 2000));
            requests.add(HttpRequest.newBuilder(uri)
                    .header("Content-Type", "application/json")
                    .header("Authorization", bearer)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(mapper.writeValueAsBytes(visit)))
                    .build());
        }
        return OpenModel.send(http, RATE, requests, 201);
    }
}

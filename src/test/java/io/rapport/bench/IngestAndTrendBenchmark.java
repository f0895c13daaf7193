package io.rapport.bench;

import static io.restassured.RestAssured.given;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Not a test: prints how long ingest and trend queries take on this machine, over HTTP against the
 * embedded PostgreSQL running durable (fsync on). Run with {@code ./mvnw verify -Pbench}. Figures
 * are medians of repeated runs; machines here are shared, so compare ratios, not absolutes.
 */
@QuarkusTest
class IngestAndTrendBenchmark {

    private static final int BATCH = 1000;
    private static final int BATCH_RUNS = 9;
    private static final int LARGE_CLINIC_VISITS = 100_000;
    private static final int QUERY_RUNS = 15;

    private final Random random = new Random(7);
    private final Instant base = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(360, ChronoUnit.DAYS);

    private List<Map<String, Object>> visits(String clinic, int offset, int count) {
        List<Map<String, Object>> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int n = offset + i;
            Instant start = base.plusSeconds((long) n * 360 * 86400 / LARGE_CLINIC_VISITS)
                    .plusSeconds(random.nextInt(600));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("clinicId", clinic);
            m.put("visitId", "v-" + n);
            m.put("providerId", "prov-" + random.nextInt(40));
            m.put("patientId", "pat-" + random.nextInt(20_000));
            m.put(
                    "modality",
                    List.of("VIDEO", "PHONE", "IN_PERSON", "MESSAGING").get(random.nextInt(4)));
            m.put("scheduledStart", start.minusSeconds(random.nextInt(900)).toString());
            m.put("startedAt", start.toString());
            m.put("endedAt", start.plusSeconds(1800).toString());
            m.put("faceToFaceSeconds", 300 + random.nextInt(1500));
            m.put("documentationSeconds", random.nextInt(2400));
            m.put("responseLatencySeconds", Math.round(random.nextDouble() * 3000) / 10.0);
            m.put("patientTalkShare", Math.round(random.nextDouble() * 100) / 100.0);
            m.put("connectionDrops", random.nextInt(3));
            out.add(m);
        }
        return out;
    }

    private List<Map<String, Object>> srsRatings(String clinic, int offset, int count) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (random.nextDouble() < 0.6) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("clinicId", clinic);
                m.put("visitId", "v-" + (offset + i));
                m.put("instrument", "SRS");
                Double[] items = new Double[4];
                for (int k = 0; k < 4; k++) {
                    items[k] = (double) (5 + random.nextInt(6));
                }
                m.put("items", Arrays.asList(items));
                m.put("submittedAt", base.toString());
                out.add(m);
            }
        }
        return out;
    }

    private static long timePost(String path, Object body) {
        long t0 = System.nanoTime();
        given().contentType(ContentType.JSON).body(body).post(path).then().statusCode(200);
        return System.nanoTime() - t0;
    }

    private static long timeGet(String path) {
        long t0 = System.nanoTime();
        given().get(path).then().statusCode(200);
        return System.nanoTime() - t0;
    }

    private static String stats(List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        sorted.sort(null);
        return String.format(
                "median %.1f ms (min %.1f, max %.1f, n=%d)",
                sorted.get(sorted.size() / 2) / 1e6,
                sorted.get(0) / 1e6,
                sorted.get(sorted.size() - 1) / 1e6,
                sorted.size());
    }

    @Test
    void printFigures() {
        String small = "bench-batch-" + System.nanoTime();
        List<Long> fresh = new ArrayList<>();
        List<Long> replay = new ArrayList<>();
        for (int run = 0; run < BATCH_RUNS; run++) {
            List<Map<String, Object>> batch = visits(small, run * BATCH, BATCH);
            fresh.add(timePost("/api/v1/visits/batch", batch));
            replay.add(timePost("/api/v1/visits/batch", batch));
        }
        System.out.println("BENCH batch of 1000 new visits: " + stats(fresh));
        System.out.println("BENCH batch of 1000 replayed visits (unchanged): " + stats(replay));

        String large = "bench-large-" + System.nanoTime();
        long t0 = System.nanoTime();
        for (int offset = 0; offset < LARGE_CLINIC_VISITS; offset += BATCH) {
            timePost("/api/v1/visits/batch", visits(large, offset, BATCH));
            timePost("/api/v1/ratings/batch", srsRatings(large, offset, BATCH));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf(
                "BENCH loaded %d visits (+ ~60%% SRS ratings) through the batch API in %.1f s: %.0f visits/s%n",
                LARGE_CLINIC_VISITS, seconds, LARGE_CLINIC_VISITS / seconds);

        String window = "?from=" + base.toString().substring(0, 10) + "&to="
                + base.plus(365, ChronoUnit.DAYS).toString().substring(0, 10);
        Map<String, String> queries = new LinkedHashMap<>();
        queries.put("summary, 100k visits, one year", "/api/v1/clinics/" + large + "/summary" + window);
        queries.put(
                "trends weekly mean faceToFaceShare",
                "/api/v1/clinics/" + large + "/trends" + window + "&metric=faceToFaceShare");
        queries.put(
                "trends weekly p90 waitSeconds by provider",
                "/api/v1/clinics/" + large + "/trends" + window + "&metric=waitSeconds&stat=p90&groupBy=provider");
        queries.put(
                "trends daily SRS.total mean",
                "/api/v1/clinics/" + large + "/trends" + window + "&metric=SRS.total&interval=day");
        queries.put("providers", "/api/v1/clinics/" + large + "/providers" + window);
        queries.put("drivers SRS", "/api/v1/clinics/" + large + "/drivers" + window + "&instrument=SRS");
        for (Map.Entry<String, String> q : queries.entrySet()) {
            timeGet(q.getValue()); // warm-up: plans and caches
            List<Long> times = new ArrayList<>();
            for (int i = 0; i < QUERY_RUNS; i++) {
                times.add(timeGet(q.getValue()));
            }
            System.out.println("BENCH " + q.getKey() + ": " + stats(times));
        }
    }
}

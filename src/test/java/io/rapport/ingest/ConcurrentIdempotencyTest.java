package io.rapport.ingest;

import static io.rapport.support.Fixtures.unique;
import static io.rapport.support.Fixtures.visit;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.rapport.support.Db;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Idempotency holds across the single and batch endpoints under concurrency: the same events
 * posted at once, singly and in overlapping batches, end as one row each with revision 1 and
 * the content sent.
 */
@QuarkusTest
class ConcurrentIdempotencyTest {

    private static final int VISITS = 60;
    private static final Instant SUBMITTED =
            Instant.now().truncatedTo(ChronoUnit.HOURS).minus(1, ChronoUnit.HOURS);

    @Inject
    Db db;

    @Test
    void overlappingBatchesAndSinglesOfTheSameVisitsStoreEachOnce() throws Exception {
        String clinic = unique("overlap");
        List<Map<String, Object>> visits = new ArrayList<>();
        for (int i = 0; i < VISITS; i++) {
            Map<String, Object> v = visit(clinic, "v-" + i);
            v.put("faceToFaceSeconds", 100 + i);
            visits.add(v);
        }
        // Two batches overlapping in the middle third, plus every third visit posted on its own.
        List<Map<String, Object>> first = visits.subList(0, 40);
        List<Map<String, Object>> second = visits.subList(20, 60);
        List<Callable<Integer>> calls = new ArrayList<>();
        calls.add(() -> post("/api/v1/visits/batch", first));
        calls.add(() -> post("/api/v1/visits/batch", second));
        for (int i = 0; i < VISITS; i += 3) {
            Map<String, Object> v = visits.get(i);
            calls.add(() -> post("/api/v1/visits", v));
        }
        for (int status : runTogether(calls)) {
            assertThat(status).isIn(200, 201);
        }

        assertThat(db.count("SELECT count(*) FROM visit WHERE clinic_id = ?", clinic))
                .isEqualTo(VISITS);
        assertThat(db.count("SELECT count(*) FROM visit WHERE clinic_id = ? AND revision = 1", clinic))
                .isEqualTo(VISITS);
        // faceToFaceSeconds = 100 + i for v-i: each row holds its own visit's content.
        assertThat(db.count(
                        "SELECT count(*) FROM visit WHERE clinic_id = ?"
                                + " AND face_to_face_seconds = 100 + CAST(substring(visit_id FROM 3) AS integer)",
                        clinic))
                .isEqualTo(VISITS);
    }

    @Test
    void theSameRatingPostedConcurrentlySinglyAndInBatchesIsStoredOnce() throws Exception {
        String clinic = unique("overlap-r");
        Map<String, Object> rating = new LinkedHashMap<>();
        rating.put("clinicId", clinic);
        rating.put("visitId", "v-1");
        rating.put("instrument", "SRS");
        rating.put("items", List.of(9.1, 8.7, 9.3, 9.0));
        rating.put("submittedAt", SUBMITTED.toString());
        List<Callable<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            calls.add(() -> post("/api/v1/ratings", rating));
            calls.add(() -> post("/api/v1/ratings/batch", List.of(rating)));
        }
        for (int status : runTogether(calls)) {
            assertThat(status).isIn(200, 201);
        }
        assertThat(db.count("SELECT count(*) FROM rating WHERE clinic_id = ?", clinic))
                .isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM rating WHERE clinic_id = ? AND revision = 1", clinic))
                .isEqualTo(1);
        // 9.1 + 8.7 + 9.3 + 9.0 = 36.1
        given().get("/api/v1/clinics/" + clinic + "/visits/v-1/ratings/SRS")
                .then()
                .statusCode(200)
                .body("total", org.hamcrest.Matchers.closeTo(36.1, 1e-9));
    }

    private static int post(String path, Object body) {
        return given().contentType(ContentType.JSON).body(body).post(path).statusCode();
    }

    private static List<Integer> runTogether(List<Callable<Integer>> calls) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(calls.size());
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (Callable<Integer> c : calls) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return c.call();
                }));
            }
            go.countDown();
            List<Integer> out = new ArrayList<>();
            for (Future<Integer> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}

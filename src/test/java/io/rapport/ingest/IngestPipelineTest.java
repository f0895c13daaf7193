package io.rapport.ingest;

import static io.rapport.support.Fixtures.unique;
import static io.rapport.support.Fixtures.visit;
import static io.rapport.support.Fixtures.with;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.rapport.support.Contract;
import io.rapport.support.Db;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The set-based pipeline: every outcome from one batch's statement, and batches that overlap. */
@QuarkusTest
class IngestPipelineTest {

    @Inject
    Db db;

    private static final Instant T =
            Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(1, ChronoUnit.HOURS);

    // The batches here carry rejected items on purpose, which the document's request schema forbids.
    private static Response postBatch(String path, Object body) {
        return given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body(body)
                .post(path);
    }

    @Test
    void oneBatchMixesCreatedCorrectedUnchangedStaleAndRejected() {
        String clinic = unique("c");
        Map<String, Object> corrected = with(visit(clinic, "corrected"), "recordedAt", T.toString());
        Map<String, Object> replayed = with(visit(clinic, "replayed"), "recordedAt", T.toString());
        Map<String, Object> late = with(visit(clinic, "late"), "recordedAt", T.toString());
        postBatch("/api/v1/visits/batch", List.of(corrected, replayed, late))
                .then()
                .statusCode(200)
                .body("created", equalTo(3));

        List<Object> batch = List.of(
                with(corrected, "recordedAt", T.plusSeconds(60).toString(), "connectionDrops", 4),
                visit(clinic, "new-1"),
                replayed,
                with(late, "recordedAt", T.minusSeconds(60).toString(), "connectionDrops", 9),
                with(visit(clinic, "broken"), "documentationSeconds", 90_000),
                // A visit new in this batch and corrected later in the same batch.
                with(visit(clinic, "new-2"), "recordedAt", T.toString()),
                with(visit(clinic, "new-2"), "recordedAt", T.plusSeconds(5).toString(), "faceToFaceSeconds", 900));
        postBatch("/api/v1/visits/batch", batch)
                .then()
                .statusCode(200)
                .body("created", equalTo(2))
                .body("updated", equalTo(2))
                .body("unchanged", equalTo(2))
                .body("rejected", equalTo(1))
                .body("forbidden", equalTo(0))
                .body(
                        "results.status",
                        equalTo(List.of("updated", "created", "unchanged", "stale", "rejected", "created", "updated")))
                .body("results.revision", equalTo(Arrays.asList(2, 1, 1, 1, null, 1, 2)))
                .body(
                        "results.visitId",
                        equalTo(List.of("corrected", "new-1", "replayed", "late", "broken", "new-2", "new-2")));

        assertThat(db.count(
                        "SELECT connection_drops FROM visit WHERE clinic_id = ? AND visit_id = 'corrected'", clinic))
                .isEqualTo(4);
        // The stale correction changed nothing: the fixture's 1 connection drop stands.
        assertThat(db.count("SELECT connection_drops FROM visit WHERE clinic_id = ? AND visit_id = 'late'", clinic))
                .isEqualTo(1);
        assertThat(db.count(
                        "SELECT face_to_face_seconds FROM visit WHERE clinic_id = ? AND visit_id = 'new-2'", clinic))
                .isEqualTo(900);
        assertThat(db.count("SELECT count(*) FROM visit WHERE clinic_id = ? AND visit_id = 'broken'", clinic))
                .isZero();
        assertThat(db.count("SELECT count(*) FROM visit WHERE clinic_id = ?", clinic))
                .isEqualTo(5);
    }

    @Test
    void oneRatingBatchMixesEveryOutcomeAndRaisesEachAlertOnce() {
        String clinic = unique("c");
        // One patient each, so no rating has a "previous" and only the cutoff rule is in play.
        postBatch(
                        "/api/v1/visits/batch",
                        List.of(
                                with(visit(clinic, "a"), "patientId", "p-a"),
                                with(visit(clinic, "b"), "patientId", "p-b"),
                                with(visit(clinic, "c"), "patientId", "p-c")))
                .then()
                .statusCode(200);
        Map<String, Object> low = srs(clinic, "a", T, 8.0, 8.0, 8.0, 8.0);
        Map<String, Object> high = srs(clinic, "b", T, 10.0, 10.0, 10.0, 10.0);
        postBatch("/api/v1/ratings/batch", List.of(low, high)).then().statusCode(200);
        assertThat(openAlerts(clinic)).isEqualTo(1);

        List<Object> batch = List.of(
                // a lifted above the cutoff: its alert resolves.
                srs(clinic, "a", T.plusSeconds(60), 9.5, 9.0, 9.0, 9.0),
                // b replayed, then an older correction of it.
                high,
                srs(clinic, "b", T.minusSeconds(60), 1.0, 1.0, 1.0, 1.0),
                // c new and low (8 + 8 + 8 + 8 = 32 < 36): one alert.
                srs(clinic, "c", T, 8.0, 8.0, 8.0, 8.0),
                // off the 0.1 grid: rejected.
                srs(clinic, "c", T, 8.05, 8.0, 8.0, 8.0));
        postBatch("/api/v1/ratings/batch", batch)
                .then()
                .statusCode(200)
                .body("results.status", equalTo(List.of("updated", "unchanged", "stale", "created", "rejected")))
                .body("results.revision", equalTo(Arrays.asList(2, 1, 1, 1, null)));
        assertThat(db.count(
                        "SELECT count(*) FROM alert WHERE clinic_id = ? AND status = 'OPEN' AND visit_id = 'c'",
                        clinic))
                .isEqualTo(1);
        assertThat(db.count(
                        "SELECT count(*) FROM alert WHERE clinic_id = ? AND status = 'RESOLVED' AND visit_id = 'a'",
                        clinic))
                .isEqualTo(1);
        assertThat(openAlerts(clinic)).isEqualTo(1);
    }

    /**
     * The same content again is a retry, whatever recordedAt it carries: a platform whose retry
     * is stamped anew, or one that sends two copies of an event at once, each stamped as it
     * arrived, may have the later stamp stored first. Only changed content recorded before the
     * stored revision is a stale correction.
     */
    @Test
    void theSameContentRecordedEarlierIsARetryNotAStaleCorrection() {
        String clinic = unique("c");
        Map<String, Object> visit = with(visit(clinic, "v"), "patientId", "p-1", "recordedAt", T.toString());
        Map<String, Object> rating = srs(clinic, "v", T, 9.0, 9.0, 9.0, 9.0);
        postBatch("/api/v1/visits/batch", List.of(visit)).then().body("created", equalTo(1));
        postBatch("/api/v1/ratings/batch", List.of(rating)).then().body("created", equalTo(1));

        String earlier = T.minusSeconds(60).toString();
        postBatch("/api/v1/visits/batch", List.of(with(visit, "recordedAt", earlier)))
                .then()
                .statusCode(200)
                .body("results.status", equalTo(List.of("unchanged")))
                .body("results.revision", equalTo(List.of(1)));
        postBatch("/api/v1/ratings/batch", List.of(with(rating, "recordedAt", earlier)))
                .then()
                .statusCode(200)
                .body("results.status", equalTo(List.of("unchanged")))
                .body("results.revision", equalTo(List.of(1)));
        // Changed content recorded as early is still a stale correction.
        postBatch("/api/v1/visits/batch", List.of(with(visit, "recordedAt", earlier, "connectionDrops", 9)))
                .then()
                .body("results.status", equalTo(List.of("stale")));
        postBatch("/api/v1/ratings/batch", List.of(srs(clinic, "v", T.minusSeconds(60), 5.0, 9.0, 9.0, 9.0)))
                .then()
                .body("results.status", equalTo(List.of("stale")));
        assertThat(db.count(
                        "SELECT count(*) FROM visit WHERE clinic_id = ? AND revision = 1 AND connection_drops = 1",
                        clinic))
                .isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM rating WHERE clinic_id = ? AND revision = 1 AND total = 36", clinic))
                .isEqualTo(1);
    }

    @Test
    void overlappingConcurrentBatchesStoreEachVisitOnceAndReportItCreatedOnce() throws Exception {
        String clinic = unique("c");
        // Two batches share visits 300-599, in opposite orders, so their locks would cross if the
        // pipeline did not write rows in key order.
        List<Object> first = new ArrayList<>();
        List<Object> second = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            first.add(with(visit(clinic, "v-" + i), "patientId", "p-" + (i % 50)));
        }
        for (int i = 899; i >= 300; i--) {
            second.add(with(visit(clinic, "v-" + i), "patientId", "p-" + (i % 50)));
        }
        List<Map<String, Object>> answers = concurrently(
                () -> postBatch("/api/v1/visits/batch", first), () -> postBatch("/api/v1/visits/batch", second));

        int created = 0, unchanged = 0;
        for (Map<String, Object> a : answers) {
            created += ((Number) a.get("created")).intValue();
            unchanged += ((Number) a.get("unchanged")).intValue();
        }
        assertThat(created).isEqualTo(900);
        assertThat(unchanged).isEqualTo(300);
        assertThat(db.count("SELECT count(*) FROM visit WHERE clinic_id = ?", clinic))
                .isEqualTo(900);
        assertThat(db.count("SELECT count(*) FROM visit WHERE clinic_id = ? AND revision <> 1", clinic))
                .isZero();
    }

    @Test
    void overlappingConcurrentRatingBatchesRaiseEachAlertOnce() throws Exception {
        String clinic = unique("c");
        List<Object> visits = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            visits.add(with(visit(clinic, "v-" + i), "patientId", "p-" + i));
        }
        postBatch("/api/v1/visits/batch", visits).then().statusCode(200);
        // Every rating low: 7 * 4 = 28 < 36. Both batches carry v-50 to v-149.
        List<Object> first = new ArrayList<>();
        List<Object> second = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            first.add(srs(clinic, "v-" + i, T, 7.0, 7.0, 7.0, 7.0));
        }
        for (int i = 199; i >= 50; i--) {
            second.add(srs(clinic, "v-" + i, T, 7.0, 7.0, 7.0, 7.0));
        }
        List<Map<String, Object>> answers = concurrently(
                () -> postBatch("/api/v1/ratings/batch", first), () -> postBatch("/api/v1/ratings/batch", second));
        int created = 0;
        for (Map<String, Object> a : answers) {
            created += ((Number) a.get("created")).intValue();
        }
        assertThat(created).isEqualTo(200);
        assertThat(db.count("SELECT count(*) FROM rating WHERE clinic_id = ?", clinic))
                .isEqualTo(200);
        assertThat(db.count("SELECT count(*) FROM alert WHERE clinic_id = ?", clinic))
                .isEqualTo(200);
        assertThat(openAlerts(clinic)).isEqualTo(200);
    }

    private long openAlerts(String clinic) {
        return db.count("SELECT count(*) FROM alert WHERE clinic_id = ? AND status = 'OPEN'", clinic);
    }

    private static Map<String, Object> srs(String clinic, String visitId, Instant recordedAt, Double... items) {
        return Map.of(
                "clinicId",
                clinic,
                "visitId",
                visitId,
                "instrument",
                "SRS",
                "items",
                List.of(items),
                "submittedAt",
                T.toString(),
                "recordedAt",
                recordedAt.toString());
    }

    /** Runs both posts at once, released together, and returns their 200 answers. */
    @SafeVarargs
    private static List<Map<String, Object>> concurrently(java.util.concurrent.Callable<Response>... posts)
            throws Exception {
        CyclicBarrier start = new CyclicBarrier(posts.length);
        ExecutorService pool = Executors.newFixedThreadPool(posts.length);
        try {
            List<Future<Response>> futures = new ArrayList<>();
            for (var post : posts) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return post.call();
                }));
            }
            List<Map<String, Object>> answers = new ArrayList<>();
            for (Future<Response> f : futures) {
                Response r = f.get();
                assertThat(r.statusCode()).isEqualTo(200);
                answers.add(r.jsonPath().getMap(""));
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }
}

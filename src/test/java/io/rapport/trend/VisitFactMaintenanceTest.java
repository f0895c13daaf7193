package io.rapport.trend;

import static io.rapport.support.Fixtures.startingAt;
import static io.rapport.support.Fixtures.unique;
import static io.rapport.support.Fixtures.visit;
import static io.rapport.support.Fixtures.with;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.rapport.support.Db;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The manager answers follow every way a visit or a rating changes: what they read (visit_fact)
 * is kept by the writes themselves, so a late rating, a correction that turns a visit into a
 * message thread, a corrected rating and a visit moved out of the window all show at once.
 * Expected figures are worked out by hand in the comments.
 */
@QuarkusTest
class VisitFactMaintenanceTest {

    @Inject
    Db db;

    private static final Instant T0 =
            Instant.now().truncatedTo(ChronoUnit.HOURS).minus(3, ChronoUnit.DAYS);

    private static Map<String, Object> visitAt(String clinic, String id, int faceToFace, int documentation) {
        return with(
                startingAt(visit(clinic, id), T0),
                "faceToFaceSeconds",
                faceToFace,
                "documentationSeconds",
                documentation,
                "afterHoursDocumentationSeconds",
                0,
                "recordedAt",
                T0.plusSeconds(3600).toString());
    }

    private static Map<String, Object> srs(String clinic, String visitId, double item, Instant recordedAt) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("clinicId", clinic);
        m.put("visitId", visitId);
        m.put("instrument", "SRS");
        m.put("items", Arrays.asList(item, item, item, item));
        m.put("submittedAt", T0.plusSeconds(2000).toString());
        m.put("recordedAt", recordedAt.toString());
        return m;
    }

    private static void post(String path, Object body, int status) {
        given().contentType(ContentType.JSON).body(body).post(path).then().statusCode(status);
    }

    private static JsonPath summary(String clinic) {
        return given().get("/api/v1/clinics/" + clinic + "/summary")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    @Test
    void answersFollowLateRatingsAndCorrections() {
        String clinic = unique("fact");
        // Shares 1200/1500 = 0.8 and 600/1200 = 0.5: mean 0.65.
        post("/api/v1/visits", visitAt(clinic, "a1", 1200, 300), 201);
        post("/api/v1/visits", visitAt(clinic, "a2", 600, 600), 201);
        // A rating whose visit has not arrived: kept, but no visit in the window carries it yet.
        post("/api/v1/ratings", srs(clinic, "a3", 9.0, T0.plusSeconds(4000)), 201);
        JsonPath s = summary(clinic);
        assertThat(s.getInt("visits")).isEqualTo(2);
        assertThat(s.getDouble("faceToFaceShare.mean")).isEqualTo(0.65);
        assertThat(s.getMap("ratings")).isEmpty();

        // The visit arrives (share 900/1000 = 0.9): its waiting rating counts from now on.
        post("/api/v1/visits", visitAt(clinic, "a3", 900, 100), 201);
        s = summary(clinic);
        assertThat(s.getInt("ratings.SRS.responses")).isEqualTo(1);
        // (0.8 + 0.5 + 0.9) / 3 = 0.7333...
        assertThat(s.getDouble("faceToFaceShare.mean")).isEqualTo(0.7333);

        // a1 corrected into a message thread: it leaves the share, which is (0.5 + 0.9) / 2 = 0.7.
        post(
                "/api/v1/visits",
                with(
                        visitAt(clinic, "a1", 0, 300),
                        "modality",
                        "MESSAGING",
                        "recordedAt",
                        T0.plusSeconds(7200).toString()),
                200);
        s = summary(clinic);
        assertThat(s.getInt("visits")).isEqualTo(3);
        assertThat(s.getDouble("faceToFaceShare.mean")).isEqualTo(0.7);
        // Its 2.5 s latency is now a reply time, and no longer a live one.
        assertThat(s.getDouble("messageReplySeconds.p50")).isEqualTo(2.5);

        // Five SRS of 36 on b1..b5 beside a3's 36, then b5 corrected to 40:
        // mean (5 x 36 + 40) / 6 = 36.666..., 36.67 at two decimals.
        for (String id : List.of("b1", "b2", "b3", "b4", "b5")) {
            post("/api/v1/visits", visitAt(clinic, id, 1200, 600), 201);
            post("/api/v1/ratings", srs(clinic, id, 9.0, T0.plusSeconds(4000)), 201);
        }
        assertThat(srsMean(clinic)).isEqualTo(36.0);
        post("/api/v1/ratings", srs(clinic, "b5", 10.0, T0.plusSeconds(9000)), 200);
        assertThat(srsMean(clinic)).isEqualTo(36.67);

        // b1 moved to a year ago: out of the default 90-day window, with its rating.
        Instant yearAgo = T0.minus(365, ChronoUnit.DAYS);
        post(
                "/api/v1/visits",
                with(
                        startingAt(visitAt(clinic, "b1", 1200, 600), yearAgo),
                        "recordedAt",
                        T0.plusSeconds(9000).toString()),
                200);
        s = summary(clinic);
        assertThat(s.getInt("visits")).isEqualTo(7);
        // a3, b2..b5: five SRS left, (4 x 36 + 40) / 5 = 36.8.
        assertThat(s.getInt("ratings.SRS.responses")).isEqualTo(5);
        assertThat(s.getDouble("ratings.SRS.meanTotal")).isEqualTo(36.8);
    }

    /** A batch of new visits picks up the ratings that arrived before them, and only those. */
    @Test
    void aBatchOfNewVisitsPicksUpTheRatingsWaitingForThem() {
        String clinic = unique("fact-new");
        // Ratings before their visits, for c1 and c3; c2 has none.
        post("/api/v1/ratings", srs(clinic, "c1", 9.0, T0.plusSeconds(4000)), 201);
        post("/api/v1/ratings", srs(clinic, "c3", 8.0, T0.plusSeconds(4000)), 201);
        assertThat(summary(clinic).getMap("ratings")).isEmpty();
        given().contentType(ContentType.JSON)
                .body(List.of(
                        visitAt(clinic, "c1", 1200, 300),
                        visitAt(clinic, "c2", 600, 600),
                        visitAt(clinic, "c3", 900, 100)))
                .post("/api/v1/visits/batch")
                .then()
                .statusCode(200)
                .body("results.status", equalTo(List.of("created", "created", "created")));
        JsonPath s = summary(clinic);
        // Shares 0.8, 0.5, 0.9: mean 2.2 / 3 = 0.7333...; both waiting ratings count now (their mean
        // is suppressed below the small-group minimum, so the count is what shows them).
        assertThat(s.getInt("visits")).isEqualTo(3);
        assertThat(s.getDouble("faceToFaceShare.mean")).isEqualTo(0.7333);
        assertThat(s.getInt("ratings.SRS.responses")).isEqualTo(2);
    }

    /**
     * The facts follow whatever writes: a rating written outside the service, as by an operator or
     * a COPY, gets its row from the rating trigger, and one corrected outside the service has its
     * row follow.
     */
    @Test
    void ratingsWrittenOutsideTheServiceStillGetTheirFactRows() {
        String clinic = unique("fact-hand");
        post("/api/v1/visits", visitAt(clinic, "h1", 1200, 300), 201);
        post("/api/v1/visits", visitAt(clinic, "h2", 600, 600), 201);
        post("/api/v1/ratings", srs(clinic, "h1", 9.0, T0.plusSeconds(4000)), 201);
        assertThat(summary(clinic).getInt("ratings.SRS.responses")).isEqualTo(1);

        Timestamp at = Timestamp.from(T0.plusSeconds(4000));
        assertThat(db.update(
                        "INSERT INTO rating (clinic_id, visit_id, instrument, items, complete, total, normalized,"
                                + " subscales, category, submitted_at, recorded_at, received_at, revision)"
                                + " VALUES (?, 'h2', 'SRS', '{8,8,8,8}', true, 32, 0.8, '{}', NULL, ?, ?, ?, 1)",
                        clinic,
                        at,
                        at,
                        at))
                .isEqualTo(1);
        assertThat(summary(clinic).getInt("ratings.SRS.responses")).isEqualTo(2);
        assertThat(factTotal(clinic, "h2")).isEqualTo("32");

        assertThat(db.update(
                        "UPDATE rating SET total = 28, revision = revision + 1 WHERE clinic_id = ? AND visit_id = 'h2'",
                        clinic))
                .isEqualTo(1);
        assertThat(factTotal(clinic, "h2")).isEqualTo("28");
        // The service's own row for h1: 4 x 9 = 36.
        assertThat(factTotal(clinic, "h1")).isEqualTo("36");
    }

    private String factTotal(String clinic, String visitId) {
        return db.string(
                "SELECT total::text FROM rating_fact WHERE clinic_id = ? AND visit_id = ? AND instrument = 'SRS'",
                clinic,
                visitId);
    }

    @Test
    void aVisitMovedToAnotherPatientLeavesTheOldSequence() {
        String clinic = unique("fact-move");
        // One patient: prov-1, prov-2, prov-1 an hour apart: two pairs, both switches.
        post("/api/v1/visits", at(clinic, "x1", "pat-a", "prov-1", 0, 3600), 201);
        post("/api/v1/visits", at(clinic, "x2", "pat-a", "prov-2", 3600, 3600), 201);
        post("/api/v1/visits", at(clinic, "x3", "pat-a", "prov-1", 7200, 3600), 201);
        JsonPath s = summary(clinic);
        assertThat(s.getInt("continuity.patients")).isEqualTo(1);
        assertThat(s.getDouble("continuity.providerSwitchRate")).isEqualTo(1.0);

        // x2 was another patient's: pat-a is left with prov-1 twice, one pair and no switch.
        post("/api/v1/visits", at(clinic, "x2", "pat-b", "prov-2", 3600, 9000), 200);
        s = summary(clinic);
        assertThat(s.getInt("continuity.patients")).isEqualTo(1);
        assertThat(s.getDouble("continuity.providerSwitchRate")).isEqualTo(0.0);
        assertThat(s.getDouble("continuity.upc")).isEqualTo(1.0);
    }

    @Test
    void concurrentBatchesOfOnePatientKeepEveryPreviousVisit() throws Exception {
        String clinic = unique("fact-race");
        // Five patients, ten visits each an hour apart, providers alternating: nine switches in nine
        // pairs each. Even hours go in one batch, odd hours in another, both posted at once: each
        // batch's previous visits are the other's, which it can only see if the two do not race.
        List<Object> even = new java.util.ArrayList<>();
        List<Object> odd = new java.util.ArrayList<>();
        for (int p = 0; p < 5; p++) {
            for (int h = 0; h < 10; h++) {
                Map<String, Object> v =
                        at(clinic, "r" + p + "-" + h, "pat-" + p, h % 2 == 0 ? "prov-a" : "prov-b", h * 3600, 600);
                (h % 2 == 0 ? even : odd).add(v);
            }
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<Integer>> answers = new java.util.ArrayList<>();
            for (List<Object> batch : List.of(even, odd)) {
                answers.add(pool.submit(() -> {
                    go.await();
                    return given().contentType(ContentType.JSON)
                            .body(batch)
                            .post("/api/v1/visits/batch")
                            .statusCode();
                }));
            }
            go.countDown();
            for (java.util.concurrent.Future<Integer> answer : answers) {
                assertThat(answer.get()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
        JsonPath s = summary(clinic);
        assertThat(s.getInt("visits")).isEqualTo(50);
        assertThat(s.getInt("continuity.patients")).isEqualTo(5);
        assertThat(s.getDouble("continuity.providerSwitchRate")).isEqualTo(1.0);
    }

    private static Map<String, Object> at(
            String clinic, String id, String patient, String provider, int offsetSeconds, int recordedAfter) {
        Instant start = T0.plusSeconds(offsetSeconds);
        return with(
                startingAt(visitAt(clinic, id, 1200, 600), start),
                "patientId",
                patient,
                "providerId",
                provider,
                "recordedAt",
                T0.plusSeconds(recordedAfter + offsetSeconds).toString());
    }

    private static double srsMean(String clinic) {
        return summary(clinic).getDouble("ratings.SRS.meanTotal");
    }
}

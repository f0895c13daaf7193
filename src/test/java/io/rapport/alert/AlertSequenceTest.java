package io.rapport.alert;

import static io.rapport.support.Fixtures.instrument;
import static io.rapport.support.Fixtures.srs;
import static io.rapport.support.Fixtures.unique;
import static io.rapport.support.Fixtures.visit;
import static io.rapport.support.Fixtures.with;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The drop rule over a patient's sequence with one provider, when a visit moves between sequences. */
@QuarkusTest
class AlertSequenceTest {

    private static final Instant DAY0 =
            Instant.now().truncatedTo(ChronoUnit.DAYS).minus(20, ChronoUnit.DAYS);

    private static void postVisit(String clinic, String visitId, String patient, int day, int status) {
        postVisit(clinic, visitId, patient, "dr-p", day, status);
    }

    private static void postVisit(String clinic, String visitId, String patient, String provider, int day, int status) {
        assertThat(visitStatus(clinic, visitId, patient, provider, day)).isEqualTo(status);
    }

    /** Posts a half-hour visit on day {@code day} after DAY0 and answers its status code. */
    static int visitStatus(String clinic, String visitId, String patient, String provider, int day) {
        Instant start = DAY0.plus(day, ChronoUnit.DAYS).plus(9, ChronoUnit.HOURS);
        return given().contentType(ContentType.JSON)
                .body(with(
                        visit(clinic, visitId),
                        "providerId",
                        provider,
                        "patientId",
                        patient,
                        "scheduledStart",
                        start.toString(),
                        "startedAt",
                        start.toString(),
                        "endedAt",
                        start.plusSeconds(1800).toString()))
                .post("/api/v1/visits")
                .then()
                .extract()
                .statusCode();
    }

    private static void postSrs(String clinic, String visitId, Double... items) {
        assertThat(srsStatus(clinic, visitId, items)).isEqualTo(201);
    }

    /** Posts an SRS rating of the visit and answers its status code. */
    static int srsStatus(String clinic, String visitId, Double... items) {
        return given().contentType(ContentType.JSON)
                .body(srs(clinic, visitId, DAY0.toString(), items))
                .post("/api/v1/ratings")
                .then()
                .extract()
                .statusCode();
    }

    @Test
    void aVisitMovedToAnotherPatientReEvaluatesTheSequenceItLeft() {
        String clinic = unique("c");
        postVisit(clinic, "a", "pat-1", 1, 201);
        postVisit(clinic, "b", "pat-1", 2, 201);
        postVisit(clinic, "c", "pat-1", 3, 201);
        // Totals by hand: a 9 + 9 + 9 + 9.5 = 36.5, b 10 + 10 + 9.5 + 9.5 = 39, c 9.5 * 3 + 9 = 37.5.
        postSrs(clinic, "a", 9.0, 9.0, 9.0, 9.5);
        postSrs(clinic, "b", 10.0, 10.0, 9.5, 9.5);
        postSrs(clinic, "c", 9.5, 9.5, 9.5, 9.0);
        // c follows b: 39 -> 37.5 is a drop of 1.5, at least the SRS threshold of 1.
        given().get("/api/v1/clinics/" + clinic + "/visits/c/ratings/SRS")
                .then()
                .body("alerts.reason", equalTo(List.of("DROP_FROM_PREVIOUS")))
                .body("alerts[0].previousTotal", equalTo(39.0));

        // Visit b was really another patient's. pat-1's sequence is now a, c: 36.5 -> 37.5 is no drop.
        postVisit(clinic, "b", "pat-2", 2, 200);
        given().get("/api/v1/clinics/" + clinic + "/visits/c/ratings/SRS")
                .then()
                .body("alerts", empty());
        given().queryParam("status", "resolved")
                .get("/api/v1/clinics/" + clinic + "/alerts")
                .then()
                .body("items.visitId", equalTo(List.of("c")))
                .body("items.reason", equalTo(List.of("DROP_FROM_PREVIOUS")));
        // And b, first of pat-2's sequence, has no previous: no alert either.
        given().get("/api/v1/clinics/" + clinic + "/visits/b/ratings/SRS")
                .then()
                .body("alerts", empty());

        // Moved back, the drop returns on the same alert row, reopened.
        postVisit(clinic, "b", "pat-1", 2, 200);
        given().get("/api/v1/clinics/" + clinic + "/visits/c/ratings/SRS")
                .then()
                .body("alerts.reason", equalTo(List.of("DROP_FROM_PREVIOUS")))
                .body("alerts[0].status", equalTo("OPEN"));
        given().queryParam("status", "all")
                .get("/api/v1/clinics/" + clinic + "/alerts")
                .then()
                .body("total", equalTo(1));
    }

    /**
     * Visits that start at the same instant follow each other by visitId compared byte by byte, the
     * README's rule, whatever the database's collation. The suite's database sorts text by ICU
     * English, where "a" comes before "B"; byte by byte "B" (0x42) comes before "a" (0x61).
     */
    @Test
    void visitsStartingAtTheSameInstantFollowEachOtherByTheBytesOfTheirIds() {
        String clinic = unique("c");
        postVisit(clinic, "a", "pat-1", 1, 201);
        postVisit(clinic, "B", "pat-1", 1, 201);
        // By hand: B is 10 * 4 = 40, a is 9.5 * 4 = 38, neither below 36. In byte order a follows B,
        // a drop of 2; in English order B would follow a, a rise, and nothing would be raised.
        postSrs(clinic, "B", 10.0, 10.0, 10.0, 10.0);
        postSrs(clinic, "a", 9.5, 9.5, 9.5, 9.5);
        given().get("/api/v1/clinics/" + clinic + "/visits/a/ratings/SRS")
                .then()
                .body("alerts.reason", equalTo(List.of("DROP_FROM_PREVIOUS")))
                .body("alerts[0].previousTotal", equalTo(40.0));
        given().get("/api/v1/clinics/" + clinic + "/visits/B/ratings/SRS")
                .then()
                .body("alerts", empty());
    }

    /** A rating of the visit on {@code instrument}, recorded {@code second} seconds after DAY0. */
    private static Map<String, Object> recorded(
            String clinic, String visitId, String instrument, int second, Double... items) {
        // Items by hand: the fixture's list cannot hold a missing answer (null).
        return with(
                srs(clinic, visitId, DAY0.toString()),
                "instrument",
                instrument,
                "items",
                java.util.Arrays.asList(items),
                "recordedAt",
                DAY0.plusSeconds(second).toString());
    }

    private static void rate(
            String clinic, String visitId, String instrument, int second, int status, Double... items) {
        given().contentType(ContentType.JSON)
                .body(recorded(clinic, visitId, instrument, second, items))
                .post("/api/v1/ratings")
                .then()
                .statusCode(status);
    }

    /** The clinic's alerts with this status (up to 200). */
    private static List<Map<String, Object>> alerts(String clinic, String status) {
        return given().queryParam("status", status)
                .queryParam("size", 200)
                .get("/api/v1/clinics/" + clinic + "/alerts")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("items");
    }

    /** The clinic's alerts with this status, as "visit reason" pairs. */
    private static Set<String> alertsOf(String clinic, String status) {
        Set<String> out = new TreeSet<>();
        alerts(clinic, status).forEach(i -> out.add(i.get("visitId") + " " + i.get("reason")));
        return out;
    }

    /**
     * A rating corrected from complete to incomplete (a missing answer) leaves the sequence: its
     * own alerts resolve, and the next rating's drop is measured from the complete one before it.
     * The clinic's instrument: three items 1-5, summed, any missing answer makes it incomplete,
     * cutoff 10, a drop of 2 alerts. Totals by hand: a 5 * 3 = 15; b 3 * 3 = 9, under the cutoff and
     * 6 below a; c 4 * 3 = 12, a rise from b. With b incomplete, c follows a: 15 -> 12 is a drop of
     * 3. Complete again, b takes its alerts back and c's drop goes.
     */
    @Test
    void aRatingCorrectedToIncompleteLeavesTheSequence() {
        String clinic = unique("c");
        Map<String, Object> def = with(
                instrument(clinic, "PULSE-3"),
                "total",
                "SUM",
                "missing",
                Map.of("policy", "IMPUTE_MEAN", "maxMissing", 0, "overLimit", "INCOMPLETE"),
                "defaultCutoff",
                10,
                "dropAlert",
                true,
                "dropThreshold",
                2);
        given().contentType(ContentType.JSON)
                .body(def)
                .post("/api/v1/instruments")
                .then()
                .statusCode(201);
        postVisit(clinic, "a", "pat-1", 1, 201);
        postVisit(clinic, "b", "pat-1", 2, 201);
        postVisit(clinic, "c", "pat-1", 3, 201);
        rate(clinic, "a", "PULSE-3", 10, 201, 5.0, 5.0, 5.0);
        rate(clinic, "b", "PULSE-3", 10, 201, 3.0, 3.0, 3.0);
        rate(clinic, "c", "PULSE-3", 10, 201, 4.0, 4.0, 4.0);
        assertThat(alertsOf(clinic, "open")).containsExactly("b BELOW_CUTOFF", "b DROP_FROM_PREVIOUS");

        rate(clinic, "b", "PULSE-3", 20, 200, 3.0, 3.0, null);
        given().get("/api/v1/clinics/" + clinic + "/visits/b/ratings/PULSE-3")
                .then()
                .body("complete", equalTo(false))
                .body("alerts", empty());
        assertThat(alertsOf(clinic, "resolved")).containsExactly("b BELOW_CUTOFF", "b DROP_FROM_PREVIOUS");
        assertThat(alertsOf(clinic, "open")).containsExactly("c DROP_FROM_PREVIOUS");
        given().get("/api/v1/clinics/" + clinic + "/visits/c/ratings/PULSE-3")
                .then()
                .body("alerts[0].total", equalTo(12.0))
                .body("alerts[0].previousTotal", equalTo(15.0));

        rate(clinic, "b", "PULSE-3", 30, 200, 3.0, 3.0, 3.0);
        assertThat(alertsOf(clinic, "open")).containsExactly("b BELOW_CUTOFF", "b DROP_FROM_PREVIOUS");
        assertThat(alertsOf(clinic, "resolved")).containsExactly("c DROP_FROM_PREVIOUS");
    }

    /**
     * The test JVM is started with {@code RAPPORT_INSTRUMENTS__ENV_SCALE__CUTOFF=12} (pom.xml), the
     * way an operator sets the cutoff of a code with a hyphen; SmallRye Config hands it over as the
     * key {@code env.scale}. A clinic's ENV-SCALE defines a cutoff of 10, which the configured 12
     * overrides: 4 + 4 + 3 = 11 is under 12 and over 10, and 13 is over both.
     */
    @Test
    void aCutoffSetByEnvironmentVariableOverridesTheDefinitions() {
        String clinic = unique("c");
        given().contentType(ContentType.JSON)
                .body(with(instrument(clinic, "ENV-SCALE"), "total", "SUM", "defaultCutoff", 10))
                .post("/api/v1/instruments")
                .then()
                .statusCode(201);
        postVisit(clinic, "a", "pat-1", 1, 201);
        postVisit(clinic, "b", "pat-1", 2, 201);
        rate(clinic, "a", "ENV-SCALE", 10, 201, 4.0, 4.0, 3.0);
        rate(clinic, "b", "ENV-SCALE", 10, 201, 5.0, 4.0, 4.0);
        assertThat(alertsOf(clinic, "open")).containsExactly("a BELOW_CUTOFF");
        given().get("/api/v1/clinics/" + clinic + "/visits/a/ratings/ENV-SCALE")
                .then()
                .body("alerts[0].total", equalTo(11.0))
                .body("alerts[0].cutoff", equalTo(12.0));
    }

    /**
     * One batch that holds a rating and its correction: each item is answered in turn, created then
     * updated, and the alerts are those of the rating as it stands at the end. The first is 8 * 4 =
     * 32, under the cutoff of 36; the second 9.5 * 4 = 38, over it, and the first of its
     * sequence: no alert, and none raised on the way.
     */
    @Test
    void aBatchHoldingARatingAndItsCorrectionLeavesTheAlertsOfTheCorrection() {
        String clinic = unique("c");
        postVisit(clinic, "a", "pat-1", 1, 201);
        given().contentType(ContentType.JSON)
                .body(List.of(
                        recorded(clinic, "a", "SRS", 10, 8.0, 8.0, 8.0, 8.0),
                        recorded(clinic, "a", "SRS", 20, 9.5, 9.5, 9.5, 9.5)))
                .post("/api/v1/ratings/batch")
                .then()
                .statusCode(200)
                .body("created", equalTo(1))
                .body("updated", equalTo(1))
                .body("results.status", equalTo(List.of("created", "updated")))
                .body("results.revision", equalTo(List.of(1, 2)));
        given().get("/api/v1/clinics/" + clinic + "/visits/a/ratings/SRS")
                .then()
                .body("total", equalTo(38.0))
                .body("revision", equalTo(2))
                .body("alerts", empty());
        assertThat(alertsOf(clinic, "all")).isEmpty();
    }

    /**
     * A visit and its rating, and a patient's visits with each other, may arrive at the same moment
     * on different connections, in any order: the alerts must be those of posting one by one.
     * Forty patients of two providers, three visits each on days 1 to 3; each patient's six posts
     * (three visits, three ratings) leave at once from six threads. SRS totals by hand:
     * 10 + 10 + 10 + 9 = 39, then 9 + 9 + 9 + 8 = 35, then 10 * 4 = 40. Day 2 is below the cutoff of
     * 36 and 4 below day 1 (a drop of at least the threshold of 1); day 1 has no previous and day 3
     * rose. So each patient's day-2 visit has exactly BELOW_CUTOFF and DROP_FROM_PREVIOUS.
     */
    @Test
    void eventsPostedAtOnceInAnyOrderRaiseTheAlertsOfPostingOneByOne() throws Exception {
        String clinic = unique("c");
        Double[][] items = {{10.0, 10.0, 10.0, 9.0}, {9.0, 9.0, 9.0, 8.0}, {10.0, 10.0, 10.0, 10.0}};
        int patients = 40;
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            for (int p = 0; p < patients; p++) {
                String patient = "pat-" + p;
                String provider = p % 2 == 0 ? "dr-a" : "dr-b";
                List<Runnable> posts = new ArrayList<>();
                for (int day = 1; day <= 3; day++) {
                    String visitId = patient + "-d" + day;
                    int d = day;
                    posts.add(() -> postVisit(clinic, visitId, patient, provider, d, 201));
                    posts.add(() -> postSrs(clinic, visitId, items[d - 1]));
                }
                CyclicBarrier together = new CyclicBarrier(posts.size());
                List<Future<?>> done = new ArrayList<>();
                for (Runnable post : posts) {
                    done.add(pool.submit(() -> {
                        together.await(30, TimeUnit.SECONDS);
                        post.run();
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get(60, TimeUnit.SECONDS);
                }
            }
        } finally {
            pool.shutdownNow();
        }

        Set<String> raised = new TreeSet<>();
        alerts(clinic, "all")
                .forEach(a -> raised.add(a.get("visitId") + " " + a.get("reason") + " " + a.get("status")));
        Set<String> expected = new TreeSet<>();
        for (int p = 0; p < patients; p++) {
            expected.add("pat-" + p + "-d2 BELOW_CUTOFF OPEN");
            expected.add("pat-" + p + "-d2 DROP_FROM_PREVIOUS OPEN");
        }
        assertThat(raised).isEqualTo(expected);
    }
}

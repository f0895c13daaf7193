package io.rapport.trend;

import static io.rapport.support.Fixtures.srs;
import static io.rapport.support.Fixtures.unique;
import static io.rapport.support.Fixtures.visit;
import static io.rapport.support.Fixtures.with;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.rapport.support.Db;
import io.rapport.support.Scrape;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * Kept manager answers over HTTP: a repeated question is answered from what was kept, and every kind
 * of write to the clinic's data (a new visit, a correction, a rating, an acknowledged alert, a write
 * straight into the database) makes the next answer new and right, while writes to another clinic
 * and replays that change nothing leave the kept answer standing. Which way each answer went is read
 * from the {@code rapport_trend_cache_total} counters; what it says, from the answer.
 */
@QuarkusTest
class AnswerCacheTest {

    @Inject
    Db db;

    @Inject
    DataVersionFold fold;

    @Inject
    TrendSql sql;

    @Inject
    AnswerCache answers;

    private static final LocalDate TODAY = LocalDate.now(ZoneOffset.UTC);

    private static final Instant RECORDED =
            Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(1, ChronoUnit.HOURS);

    @Test
    void aRepeatedQuestionIsAnsweredFromWhatWasKeptUntilTheClinicsDataChanges() {
        String clinic = unique("cache");
        String other = unique("cache-other");
        postVisit(visit(clinic, "v1"));
        postVisit(with(visit(clinic, "v2"), "providerId", "prov-2", "patientId", "patient-2"));
        postVisit(visit(other, "w1"));

        Outcome first = Outcome.of(() -> summary(clinic));
        assertThat(first.counts()).isEqualTo(new Counts(0, 0, 1));
        assertThat(first.answer().getInt("visits")).isEqualTo(2);

        Outcome again = Outcome.of(() -> summary(clinic));
        assertThat(again.counts()).isEqualTo(new Counts(1, 0, 0));
        assertThat(again.answer().prettify()).isEqualTo(first.answer().prettify());

        // Another clinic's write, and a replay of this clinic's visit that changes nothing.
        postVisit(visit(other, "w2"));
        given().contentType(ContentType.JSON)
                .body(visit(clinic, "v1"))
                .post("/api/v1/visits")
                .then()
                .statusCode(200)
                .body("revision", equalTo(1));
        assertThat(Outcome.of(() -> summary(clinic)).counts()).isEqualTo(new Counts(1, 0, 0));

        // Another question about the same clinic is its own answer.
        Outcome weekly = Outcome.of(() -> given().queryParams(window())
                .queryParam("metric", "faceToFaceShare")
                .queryParam("interval", "week")
                .get("/api/v1/clinics/" + clinic + "/trends"));
        assertThat(weekly.counts()).isEqualTo(new Counts(0, 0, 1));

        // A new visit.
        Map<String, Object> v3 = with(visit(clinic, "v3"), "patientId", "patient-3", "recordedAt", RECORDED.toString());
        postVisit(v3);
        Outcome afterVisit = Outcome.of(() -> summary(clinic));
        assertThat(afterVisit.counts()).isEqualTo(new Counts(0, 1, 0));
        assertThat(afterVisit.answer().getInt("visits")).isEqualTo(3);
        // Continuity counts patients seen twice or more: none yet.
        assertThat(afterVisit.answer().getInt("continuity.patients")).isEqualTo(0);

        // A correction: v3 becomes a second visit of v2's patient, with v2's provider.
        given().contentType(ContentType.JSON)
                .body(with(
                        v3,
                        "patientId",
                        "patient-2",
                        "providerId",
                        "prov-2",
                        "recordedAt",
                        RECORDED.plusSeconds(60).toString()))
                .post("/api/v1/visits")
                .then()
                .statusCode(200)
                .body("revision", equalTo(2));
        Outcome afterCorrection = Outcome.of(() -> summary(clinic));
        assertThat(afterCorrection.counts()).isEqualTo(new Counts(0, 1, 0));
        assertThat(afterCorrection.answer().getInt("visits")).isEqualTo(3);
        assertThat(afterCorrection.answer().getInt("continuity.patients")).isEqualTo(1);
        assertThat(afterCorrection.answer().getDouble("continuity.upc")).isEqualTo(1.0);

        // A rating below the SRS cutoff of 36 (total 20), which also raises an alert.
        given().contentType(ContentType.JSON)
                .body(srs(clinic, "v1", Instant.now().toString(), 5, 5, 5, 5))
                .post("/api/v1/ratings")
                .then()
                .statusCode(201);
        Outcome afterRating = Outcome.of(() -> summary(clinic));
        assertThat(afterRating.counts()).isEqualTo(new Counts(0, 1, 0));
        assertThat(afterRating.answer().getInt("ratings.SRS.responses")).isEqualTo(1);
        assertThat(afterRating.answer().getInt("openAlerts")).isEqualTo(1);
        assertThat(Outcome.of(() -> summary(clinic)).counts()).isEqualTo(new Counts(1, 0, 0));

        // The alert acknowledged: only the alert table changes.
        List<Map<String, Object>> open = given().queryParam("status", "open")
                .get("/api/v1/clinics/" + clinic + "/alerts")
                .then()
                .statusCode(200)
                .extract()
                .path("items");
        assertThat(open).hasSize(1);
        given().contentType(ContentType.JSON)
                .body(Map.of("note", "Called back."))
                .post("/api/v1/clinics/" + clinic + "/alerts/"
                        + ((Number) open.get(0).get("id")).longValue() + "/acknowledge")
                .then()
                .statusCode(200);
        Outcome afterAcknowledged = Outcome.of(() -> summary(clinic));
        assertThat(afterAcknowledged.counts()).isEqualTo(new Counts(0, 1, 0));
        assertThat(afterAcknowledged.answer().getInt("openAlerts")).isEqualTo(0);

        // A write that does not come through the service at all.
        assertThat(db.update("UPDATE visit SET connection_drops = 5 WHERE clinic_id = ? AND visit_id = 'v1'", clinic))
                .isEqualTo(1);
        Outcome afterStraightWrite = Outcome.of(() -> summary(clinic));
        assertThat(afterStraightWrite.counts()).isEqualTo(new Counts(0, 1, 0));
        // Drops 5, 1 and 1 (v2 and v3 as the fixture sends them).
        assertThat(afterStraightWrite.answer().getDouble("connectionDrops.mean"))
                .isEqualTo(2.33);
    }

    @Test
    void everyKindOfAnswerIsKept() {
        String clinic = unique("cache-kinds");
        postVisit(visit(clinic, "v1"));
        given().contentType(ContentType.JSON)
                .body(srs(clinic, "v1", Instant.now().toString(), 9, 9, 9, 9))
                .post("/api/v1/ratings")
                .then()
                .statusCode(201);
        List<java.util.function.Supplier<io.restassured.response.Response>> questions = List.of(
                () -> given().queryParams(window()).get("/api/v1/clinics/" + clinic + "/providers"),
                () -> given().queryParams(window())
                        .queryParam("instrument", "SRS")
                        .get("/api/v1/clinics/" + clinic + "/drivers"),
                () -> given().queryParams(window())
                        .queryParam("metric", "SRS.total")
                        .queryParam("interval", "day")
                        .queryParam("groupBy", "provider")
                        .get("/api/v1/clinics/" + clinic + "/trends"));
        for (var question : questions) {
            Outcome first = Outcome.of(question);
            Outcome second = Outcome.of(question);
            assertThat(first.counts()).isEqualTo(new Counts(0, 0, 1));
            assertThat(second.counts()).isEqualTo(new Counts(1, 0, 0));
            assertThat(second.answer().prettify()).isEqualTo(first.answer().prettify());
        }
    }

    @Test
    void anAnswerIsKeptWithTheVersionOfItsOwnSnapshot() {
        String clinic = unique("cache-snapshot");
        postVisit(visit(clinic, "v1"));
        postVisit(visit(clinic, "v2"));
        AnswerCache.Key key = new AnswerCache.Key(
                "visits", new TrendWindow(clinic, TODAY, TODAY.plusDays(1), ZoneOffset.UTC, null, null), List.of());
        Function<TrendSql.Snapshot, Long> visits =
                s -> TrendSql.lng(s.query("SELECT count(*) AS n FROM visit_fact WHERE clinic_id = ?", clinic)
                        .get(0)
                        .get("n"));
        try (TrendSql.Snapshot before = sql.snapshot()) {
            // The snapshot is taken at its first statement; then another transaction commits a visit.
            assertThat(visits.apply(before)).isEqualTo(2);
            postVisit(visit(clinic, "v3"));
            // Kept with the version this snapshot sees, not the database's latest: read anywhere
            // else, the version would be v3's, and the next question would get 2 again.
            assertThat(answers.answer(before, key, () -> visits.apply(before))).isEqualTo(2L);
        }
        try (TrendSql.Snapshot after = sql.snapshot()) {
            Counts counted = Counts.now();
            assertThat(answers.answer(after, key, () -> visits.apply(after))).isEqualTo(3L);
            assertThat(Counts.now().minus(counted)).isEqualTo(new Counts(0, 1, 0));
        }
    }

    @Test
    void foldingTheCountsOfEndedBackendsKeepsEveryVersion() throws Exception {
        String clinic = unique("cache-fold");
        postVisit(visit(clinic, "v1"));
        // A write from a connection that then ends, as a pool's idle one does.
        try (Connection c = DriverManager.getConnection(
                        config("quarkus.datasource.jdbc.url"),
                        config("quarkus.datasource.username"),
                        config("quarkus.datasource.password"));
                PreparedStatement ps =
                        c.prepareStatement("UPDATE visit SET connection_drops = 3 WHERE clinic_id = ?")) {
            ps.setString(1, clinic);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        Outcome computed = Outcome.of(() -> summary(clinic));
        assertThat(computed.counts()).isEqualTo(new Counts(0, 0, 1));
        assertThat(computed.answer().getDouble("connectionDrops.mean")).isEqualTo(3.0);
        String version = version(clinic);
        assertThat(db.count("SELECT count(*) FROM clinic_data_version WHERE clinic_id = ?", clinic))
                .isEqualTo(2);

        // The ended backend leaves pg_stat_activity a moment after its connection closes.
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (db.count("SELECT count(*) FROM clinic_data_version WHERE clinic_id = ? AND backend = 0", clinic) == 0) {
            assertThat(System.nanoTime())
                    .as("the ended backend's row folded in time")
                    .isLessThan(deadline);
            assertThat(fold.fold()).isGreaterThanOrEqualTo(0);
            Thread.sleep(50);
        }
        // The service's own backend is alive: its row stays. The sum, the version, is the same.
        assertThat(db.count("SELECT count(*) FROM clinic_data_version WHERE clinic_id = ?", clinic))
                .isEqualTo(2);
        assertThat(version(clinic)).isEqualTo(version);
        assertThat(Outcome.of(() -> summary(clinic)).counts()).isEqualTo(new Counts(1, 0, 0));
    }

    private String version(String clinic) {
        return db.string(
                "SELECT COALESCE(sum(version), 0) || '/' || COALESCE(bit_xor(stamp), 0)"
                        + " FROM clinic_data_version WHERE clinic_id = ?",
                clinic);
    }

    private static String config(String key) {
        return ConfigProvider.getConfig().getValue(key, String.class);
    }

    private static void postVisit(Map<String, Object> visit) {
        given().contentType(ContentType.JSON)
                .body(visit)
                .post("/api/v1/visits")
                .then()
                .statusCode(201);
    }

    private static Map<String, String> window() {
        return Map.of(
                "from", TODAY.minusDays(7).toString(), "to", TODAY.plusDays(1).toString());
    }

    private static io.restassured.response.Response summary(String clinic) {
        return given().queryParams(window()).get("/api/v1/clinics/" + clinic + "/summary");
    }

    /** The cache counters' movement during one request. */
    private record Counts(long hit, long stale, long miss) {
        static Counts now() {
            Map<String, Double> s = Scrape.samples();
            return new Counts(read(s, "hit"), read(s, "stale"), read(s, "miss"));
        }

        private static long read(Map<String, Double> samples, String outcome) {
            return samples.getOrDefault("rapport_trend_cache_total{outcome=\"" + outcome + "\"}", 0.0)
                    .longValue();
        }

        Counts minus(Counts before) {
            return new Counts(hit - before.hit, stale - before.stale, miss - before.miss);
        }
    }

    /** One answer, and how the cache gave it. Tests in this class run one at a time. */
    private record Outcome(JsonPath answer, Counts counts) {
        static Outcome of(java.util.function.Supplier<io.restassured.response.Response> request) {
            Counts before = Counts.now();
            JsonPath answer = request.get().then().statusCode(200).extract().jsonPath();
            return new Outcome(answer, Counts.now().minus(before));
        }
    }
}

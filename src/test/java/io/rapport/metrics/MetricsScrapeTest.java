package io.rapport.metrics;

import static io.rapport.support.Fixtures.REMOVE;
import static io.rapport.support.Fixtures.srs;
import static io.rapport.support.Fixtures.unique;
import static io.rapport.support.Fixtures.visit;
import static io.rapport.support.Fixtures.with;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.rapport.support.Contract;
import io.rapport.support.Scrape;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Scrapes /q/metrics on the management port around a known ingest and checks what it caused. */
@QuarkusTest
class MetricsScrapeTest {

    @Inject
    DatabaseGauges gauges;

    @Inject
    io.agroal.api.AgroalDataSource dataSource;

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "quarkus.datasource.jdbc.max-size")
    int poolSize;

    private static Map<String, Double> scrape() {
        return Scrape.samples();
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String series) {
        assertThat(after).as("series %s after the ingest", series).containsKey(series);
        return after.get(series) - before.getOrDefault(series, 0.0);
    }

    @Test
    void ingestMovesTheCountersAndHistogramsByWhatItDid() {
        String clinic = unique("c");
        // Gauges move only on refresh: refresh before as well as after, so the delta is this test's.
        gauges.refresh();
        Map<String, Double> before = scrape();

        // Two new PHONE visits: shares 1200/1800 = 0.667 and 300/1800 = 0.167; waits 240 s each.
        // Built once: the fixture's times follow the clock, and a retry must be the same event.
        Map<String, Object> m1 = with(visit(clinic, "m1"), "modality", "PHONE");
        List<Object> batch = List.of(
                m1,
                with(visit(clinic, "m2"), "modality", "PHONE", "faceToFaceSeconds", 300, "documentationSeconds", 1500),
                with(visit(clinic, "m3"), "modality", "PHONE", "connectionDrops", -1),
                // Not readable as a visit, a wrong type or a field no visit has: counted as
                // malformed, though answered 'rejected' like m3.
                with(visit(clinic, "m4"), "modality", "PHONE", "faceToFaceSeconds", "lots"),
                with(visit(clinic, "m5"), "modality", "PHONE", "mood", "fine"),
                // Read, but a required field is missing: a rule it breaks, like m3.
                with(visit(clinic, "m6"), "modality", "PHONE", "endedAt", REMOVE));
        given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body(batch)
                .post("/api/v1/visits/batch")
                .then()
                .statusCode(200);
        // A retry of m1 is unchanged; a malformed body is rejected whole.
        given().contentType(ContentType.JSON)
                .body(m1)
                .post("/api/v1/visits")
                .then()
                .statusCode(200);
        given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body("{oops")
                .post("/api/v1/visits")
                .then()
                .statusCode(400);
        // Single posts count as the same items in a batch do: m7 and m8 as malformed, m9 as validation.
        for (Map<String, Object> single : List.of(
                with(visit(clinic, "m7"), "faceToFaceSeconds", "lots"),
                with(visit(clinic, "m8"), "mood", "fine"),
                with(visit(clinic, "m9"), "endedAt", REMOVE))) {
            given().filter(Contract.invalidRequest())
                    .contentType(ContentType.JSON)
                    .body(single)
                    .post("/api/v1/visits")
                    .then()
                    .statusCode(400);
        }
        // An SRS of 20 (normalized 0.5) raises a below-cutoff alert.
        rate(clinic, "m1", 5, "2026-01-05T10:00:00Z", 201);
        gauges.refresh();

        Map<String, Double> after = scrape();
        assertThat(delta(before, after, "rapport_visits_ingested_total{modality=\"PHONE\",outcome=\"created\"}"))
                .isEqualTo(2);
        assertThat(delta(before, after, "rapport_visits_ingested_total{modality=\"PHONE\",outcome=\"unchanged\"}"))
                .isEqualTo(1);
        // m3, m6 and m9; m4, m5, the "{oops" body, m7 and m8.
        assertThat(delta(before, after, "rapport_ingest_rejected_total{kind=\"visit\",reason=\"validation\"}"))
                .isEqualTo(3);
        assertThat(delta(before, after, "rapport_ingest_rejected_total{kind=\"visit\",reason=\"malformed\"}"))
                .isEqualTo(5);
        assertThat(delta(before, after, "rapport_ingest_batch_size_count{kind=\"visit\"}"))
                .isEqualTo(1);
        assertThat(delta(before, after, "rapport_ingest_batch_size_sum{kind=\"visit\"}"))
                .isEqualTo(6);
        // Histograms see the two stored visits, not the retry.
        assertThat(delta(before, after, "rapport_visit_face_to_face_share_count{modality=\"PHONE\"}"))
                .isEqualTo(2);
        assertThat(delta(before, after, "rapport_visit_face_to_face_share_bucket{modality=\"PHONE\",le=\"0.2\"}"))
                .isEqualTo(1);
        assertThat(delta(before, after, "rapport_visit_face_to_face_share_bucket{modality=\"PHONE\",le=\"0.7\"}"))
                .isEqualTo(2);
        assertThat(delta(before, after, "rapport_visit_wait_seconds_bucket{modality=\"PHONE\",le=\"120.0\"}"))
                .isEqualTo(0);
        assertThat(delta(before, after, "rapport_visit_wait_seconds_bucket{modality=\"PHONE\",le=\"300.0\"}"))
                .isEqualTo(2);
        assertThat(delta(before, after, "rapport_visit_wait_seconds_sum{modality=\"PHONE\"}"))
                .isEqualTo(480);
        assertThat(delta(before, after, "rapport_visit_documentation_seconds_sum{modality=\"PHONE\"}"))
                .isEqualTo(2100);
        assertThat(delta(before, after, "rapport_visit_response_latency_seconds_bucket{modality=\"PHONE\",le=\"5.0\"}"))
                .isEqualTo(2);
        assertThat(delta(before, after, "rapport_ratings_ingested_total{instrument=\"SRS\",outcome=\"created\"}"))
                .isEqualTo(1);
        assertThat(delta(before, after, "rapport_rating_normalized_score_bucket{instrument=\"SRS\",le=\"0.4\"}"))
                .isEqualTo(0);
        assertThat(delta(before, after, "rapport_rating_normalized_score_bucket{instrument=\"SRS\",le=\"0.5\"}"))
                .isEqualTo(1);
        assertThat(delta(before, after, "rapport_alerts_raised_total{instrument=\"SRS\",reason=\"BELOW_CUTOFF\"}"))
                .isEqualTo(1);
        assertThat(delta(before, after, "rapport_alerts_open{instrument=\"SRS\"}"))
                .isEqualTo(1);
        assertThat(after.get("rapport_database_ready")).isNotNull();
        assertThat(after.keySet())
                .anyMatch(k -> k.startsWith("http_server_requests_seconds_bucket{") && k.contains("le=\"0.5\""));
        // Ids never become labels.
        assertThat(after.keySet()).noneMatch(k -> k.contains(clinic) || k.contains("m1") || k.contains("patient"));
    }

    /**
     * Every ingest counter an alert rule reads is there, at zero, before its first event: a rate
     * over a series that appears only with its first increment misses that increment, and a pod
     * that has ingested nothing since it started would look like no pod at all to the "no visits
     * ingested" rule. The labels are the README's metrics table, written out by hand.
     */
    @Test
    void everyIngestCounterIsExposedBeforeItsFirstEvent() {
        Map<String, Double> samples = scrape();
        List<String> outcomes = List.of("created", "updated", "unchanged");
        for (String modality : List.of("VIDEO", "PHONE", "IN_PERSON", "MESSAGING")) {
            for (String outcome : outcomes) {
                assertThat(samples)
                        .containsKey("rapport_visits_ingested_total{modality=\"" + modality + "\",outcome=\"" + outcome
                                + "\"}");
            }
        }
        for (String instrument : List.of("SRS", "WAI-SR", "CARE", "NPS", "RAPPORT-5", "custom")) {
            for (String outcome : outcomes) {
                assertThat(samples)
                        .containsKey("rapport_ratings_ingested_total{instrument=\"" + instrument + "\",outcome=\""
                                + outcome + "\"}");
            }
            for (String reason : List.of("BELOW_CUTOFF", "DROP_FROM_PREVIOUS")) {
                assertThat(samples)
                        .containsKey("rapport_alerts_raised_total{instrument=\"" + instrument + "\",reason=\"" + reason
                                + "\"}");
            }
        }
        for (String kind : List.of("visit", "rating")) {
            for (String reason : List.of("validation", "malformed", "too_large", "unsupported_media_type")) {
                assertThat(samples)
                        .containsKey("rapport_ingest_rejected_total{kind=\"" + kind + "\",reason=\"" + reason + "\"}");
            }
        }
    }

    private static void rate(String clinic, String visit, int item, String submittedAt, int status) {
        given().contentType(ContentType.JSON)
                .body(srs(clinic, visit, submittedAt, item, item, item, item))
                .post("/api/v1/ratings")
                .then()
                .statusCode(status);
    }

    private static double raised(Map<String, Double> before) {
        return delta(before, scrape(), "rapport_alerts_raised_total{instrument=\"SRS\",reason=\"BELOW_CUTOFF\"}");
    }

    /**
     * An alert counts as raised when it opens and when it reopens: resolved, or acknowledged and
     * then worse; a correction that only changes an open alert's figures, or an acknowledged one's
     * for the better, or resolves it, raises nothing. SRS cutoff 36: totals 20, 24 and 28 are below
     * it, 40 is not. (The counter is the service's, not
     * the clinic's: like the other tests here, this counts on test classes running one at a time.)
     */
    @Test
    void onlyOpeningAndReopeningCountAsRaised() {
        String clinic = unique("c");
        given().contentType(ContentType.JSON)
                .body(visit(clinic, "r1"))
                .post("/api/v1/visits")
                .then()
                .statusCode(201);
        Map<String, Double> before = scrape();

        rate(clinic, "r1", 5, "2026-01-05T10:00:00Z", 201); // 20: opens
        assertThat(raised(before)).isEqualTo(1);
        rate(clinic, "r1", 6, "2026-01-05T10:05:00Z", 200); // 24: still below, the open alert's total changes
        assertThat(raised(before)).isEqualTo(1);
        Number id = given().get("/api/v1/clinics/" + clinic + "/alerts")
                .then()
                .body("items.total", equalTo(List.of(24.0)))
                .body("items.status", equalTo(List.of("OPEN")))
                .extract()
                .path("items[0].id");
        given().contentType(ContentType.JSON)
                .body("{}")
                .post("/api/v1/clinics/" + clinic + "/alerts/" + id.longValue() + "/acknowledge")
                .then()
                .statusCode(200);
        rate(clinic, "r1", 7, "2026-01-05T10:07:00Z", 200); // 28: the acknowledged alert's total changes
        assertThat(raised(before)).isEqualTo(1);
        given().queryParam("status", "acknowledged")
                .get("/api/v1/clinics/" + clinic + "/alerts")
                .then()
                .body("items.total", equalTo(List.of(28.0)))
                .body("items.status", equalTo(List.of("ACKNOWLEDGED")));
        rate(clinic, "r1", 6, "2026-01-05T10:08:00Z", 200); // 24: worse than the 28 acknowledged: reopens
        assertThat(raised(before)).isEqualTo(2);
        rate(clinic, "r1", 10, "2026-01-05T10:10:00Z", 200); // 40: resolves
        assertThat(raised(before)).isEqualTo(2);
        given().queryParam("status", "resolved")
                .get("/api/v1/clinics/" + clinic + "/alerts")
                .then()
                .body("items.reason", equalTo(List.of("BELOW_CUTOFF")));
        rate(clinic, "r1", 5, "2026-01-05T10:15:00Z", 200); // 20 again: the same alert reopens
        assertThat(raised(before)).isEqualTo(3);
        given().get("/api/v1/clinics/" + clinic + "/alerts")
                .then()
                .body("items.id", equalTo(List.of(id.intValue())))
                .body("items.total", equalTo(List.of(20.0)))
                .body("items.status", equalTo(List.of("OPEN")));
    }

    @Test
    void clinicGaugesShowTheLastSevenDaysOfABusyClinic() {
        String clinic = unique("busy");
        List<Object> batch = new java.util.ArrayList<>();
        // Ten recent visits: face-to-face 1200 s and documentation 300, 600, ..., 3000 s.
        for (int i = 1; i <= 10; i++) {
            batch.add(
                    with(visit(clinic, "b" + i), "documentationSeconds", 300 * i, "afterHoursDocumentationSeconds", 0));
        }
        given().contentType(ContentType.JSON)
                .body(batch)
                .post("/api/v1/visits/batch")
                .then()
                .statusCode(200)
                .body("created", equalTo(10));
        // SRS 9+9+9+8 = 35 and 4 x 9.5 = 38 on two of them: one of two below the cutoff of 36.
        Map<String, List<Double>> srs = Map.of("b1", List.of(9.0, 9.0, 9.0, 8.0), "b2", List.of(9.5, 9.5, 9.5, 9.5));
        srs.forEach((visitId, items) -> given().contentType(ContentType.JSON)
                .body(Map.of(
                        "clinicId",
                        clinic,
                        "visitId",
                        visitId,
                        "instrument",
                        "SRS",
                        "items",
                        items,
                        "submittedAt",
                        "2026-01-05T10:00:00Z"))
                .post("/api/v1/ratings")
                .then()
                .statusCode(201));
        gauges.refreshClinicGauges();
        Map<String, Double> after = scrape();

        double share = 0;
        for (int i = 1; i <= 10; i++) {
            share += 1200.0 / (1200.0 + 300.0 * i);
        }
        String label = "{clinic=\"" + clinic + "\"}";
        assertThat(after.get("rapport_clinic_face_to_face_share_7d" + label))
                .isCloseTo(share / 10, org.assertj.core.data.Offset.offset(1e-9));
        // Every fixture visit waits 240 s, so the 90th percentile is 240 s.
        assertThat(after.get("rapport_clinic_wait_seconds_p90_7d" + label)).isEqualTo(240.0);
        assertThat(after.get("rapport_clinic_below_cutoff_share_7d{clinic=\"" + clinic + "\",instrument=\"SRS\"}"))
                .isEqualTo(0.5);
    }

    /**
     * The gauges read from the database say when they were last refreshed in full, so a failed
     * refresh, which keeps the last values, shows as their age: here every pooled connection is
     * held, the refresh cannot get one, and the time stays where the last good refresh left it.
     */
    @Test
    void theGaugesSayWhenTheyWereLastRefreshed() throws Exception {
        String series = "rapport_database_gauges_refreshed_timestamp_seconds";
        double before = System.currentTimeMillis() / 1000.0;
        gauges.refresh();
        double refreshed = scrape().get(series);
        assertThat(refreshed).isBetween(before - 0.001, System.currentTimeMillis() / 1000.0 + 0.001);

        // Read and compared while the pool is held, so no refresh on the schedule can succeed between.
        List<java.sql.Connection> held = new java.util.ArrayList<>();
        double kept;
        try {
            for (int i = 0; i < poolSize; i++) {
                held.add(dataSource.getConnection());
            }
            kept = scrape().get(series);
            Thread.sleep(20);
            gauges.refresh();
            assertThat(scrape().get(series)).isEqualTo(kept);
        } finally {
            for (java.sql.Connection c : held) {
                c.close();
            }
        }
        gauges.refresh();
        assertThat(scrape().get(series)).isGreaterThan(kept);
    }
}

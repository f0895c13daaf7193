package io.rapport.security;

import static io.rapport.support.Fixtures.srs;
import static io.rapport.support.Fixtures.unique;
import static io.rapport.support.Fixtures.visit;
import static io.rapport.support.Fixtures.with;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.rapport.support.Db;
import io.rapport.support.Scrape;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The test profile runs rotated: k2026 active, k2025 still configured. A patient whose earlier
 * visit was pseudonymized under k2025 must still be one patient once they come back.
 */
@QuarkusTest
class KeyRotationTest {

    // The secrets of the test profile (application.properties), restated here so the expected
    // pseudonyms are computed independently of Rapport's code.
    private static final String K2025 = "rapport-test-key-2025-not-secret-0000000000";
    private static final String K2026 = "rapport-test-key-2026-not-secret-0000000000";

    @Inject
    Db db;

    private static String hmac(String secret, String text) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** A visit as it was stored before the rotation: ten days ago, with dr-a, under k2025. */
    private void storedBeforeRotation(String clinic, String visitId, String patientId) throws Exception {
        stored(clinic, visitId, "k2025:" + hmac(K2025, patientId), 10);
    }

    @Test
    void aPatientSeenBeforeAndAfterARotationIsStillOnePatient() throws Exception {
        String clinic = unique("c");
        storedBeforeRotation(clinic, "v-old", "patient-secret-42");
        storedBeforeRotation(clinic, "v-other", "someone-who-never-returns");

        given().contentType(ContentType.JSON)
                .body(with(visit(clinic, "v-new"), "providerId", "dr-b"))
                .post("/api/v1/visits")
                .then()
                .statusCode(201);

        // One patient with two visits, one each with dr-a and dr-b: UPC 1/2, COC (1+1-2)/(2*1) = 0,
        // and the one transition is a switch. Unlinked, no patient would have two visits.
        given().get("/api/v1/clinics/" + clinic + "/summary")
                .then()
                .statusCode(200)
                .body("visits", equalTo(3))
                .body("continuity.patients", equalTo(1))
                .body("continuity.upc", closeTo(0.5, 1e-9))
                .body("continuity.coc", closeTo(0.0, 1e-9))
                .body("continuity.providerSwitchRate", closeTo(1.0, 1e-9));

        String now = "k2026:" + hmac(K2026, "patient-secret-42");
        assertThat(db.string("SELECT patient_pseudonym FROM visit WHERE clinic_id = ? AND visit_id = 'v-old'", clinic))
                .isEqualTo(now);
        assertThat(db.string("SELECT patient_pseudonym FROM visit WHERE clinic_id = ? AND visit_id = 'v-new'", clinic))
                .isEqualTo(now);
        // A patient who has not come back keeps the pseudonym their visit was stored with.
        assertThat(db.string(
                        "SELECT patient_pseudonym FROM visit WHERE clinic_id = ? AND visit_id = 'v-other'", clinic))
                .isEqualTo("k2025:" + hmac(K2025, "someone-who-never-returns"));
    }

    @Test
    void aBatchMovesReturningPatientsToo() throws Exception {
        String clinic = unique("c");
        storedBeforeRotation(clinic, "v-old", "patient-secret-42");
        given().contentType(ContentType.JSON)
                .body(List.of(with(visit(clinic, "v-new"), "providerId", "dr-a")))
                .post("/api/v1/visits/batch")
                .then()
                .statusCode(200)
                .body("created", equalTo(1));
        assertThat(db.count(
                        "SELECT count(DISTINCT patient_pseudonym) FROM visit WHERE clinic_id = ? AND patient_pseudonym = ?",
                        clinic,
                        "k2026:" + hmac(K2026, "patient-secret-42")))
                .isEqualTo(1);
        assertThat(db.count(
                        "SELECT count(*) FROM visit WHERE clinic_id = ? AND patient_pseudonym LIKE 'k2025:%'", clinic))
                .isZero();
    }

    /** A visit of this patient stored straight into the table, under the given key, with dr-a. */
    private void stored(String clinic, String visitId, String pseudonym, int daysAgo) {
        OffsetDateTime start =
                OffsetDateTime.now(ZoneOffset.UTC).minusDays(daysAgo).withNano(0);
        db.update(
                "INSERT INTO visit (clinic_id, visit_id, provider_id, patient_pseudonym, modality, started_at, "
                        + "ended_at, face_to_face_seconds, documentation_seconds, recorded_at, received_at) "
                        + "VALUES (?, ?, 'dr-a', ?, 'VIDEO', ?, ?, 1200, 600, ?, ?)",
                clinic,
                visitId,
                pseudonym,
                start,
                start.plusMinutes(30),
                start.plusMinutes(31),
                start.plusMinutes(31));
    }

    private static void rate(String clinic, String visitId, int a, int b, int c, int d) {
        given().contentType(ContentType.JSON)
                .body(srs(clinic, visitId, "2026-01-05T10:00:00Z", a, b, c, d))
                .post("/api/v1/ratings")
                .then()
                .statusCode(201);
    }

    /**
     * While a rotation rolls out, one pod may still pseudonymize with the former key and another
     * with the new one, so one patient's visits with dr-a can sit under two pseudonyms: two
     * sequences, each judged alone. When the patient comes back, re-keying makes them one, and
     * its alerts are worked out again even though the new visit, with dr-b and unrated, touches
     * neither: SRS 40 then 30 is a drop of 10 (SRS alerts on a drop of 1 point or more).
     */
    @Test
    void sequencesThatReKeyingJoinsAreEvaluatedAgain() throws Exception {
        String clinic = unique("c");
        stored(clinic, "v-a", "k2025:" + hmac(K2025, "patient-rolling"), 10);
        stored(clinic, "v-b", "k2026:" + hmac(K2026, "patient-rolling"), 5);
        rate(clinic, "v-a", 10, 10, 10, 10); // 40
        rate(clinic, "v-b", 8, 8, 7, 7); // 30: below the cutoff, but first of its own sequence
        given().get("/api/v1/clinics/" + clinic + "/visits/v-b/ratings/SRS")
                .then()
                .body("alerts.reason", equalTo(List.of("BELOW_CUTOFF")));

        String drops = "rapport_alerts_raised_total{instrument=\"SRS\",reason=\"DROP_FROM_PREVIOUS\"}";
        double dropsBefore = Scrape.samples().getOrDefault(drops, 0.0);
        given().contentType(ContentType.JSON)
                .body(with(with(visit(clinic, "v-c"), "providerId", "dr-b"), "patientId", "patient-rolling"))
                .post("/api/v1/visits")
                .then()
                .statusCode(201);
        // One alert raised: the drop the join revealed, counted once.
        assertThat(Scrape.samples().get(drops) - dropsBefore).isEqualTo(1);

        given().get("/api/v1/clinics/" + clinic + "/visits/v-b/ratings/SRS")
                .then()
                .body("alerts.reason", containsInAnyOrder("BELOW_CUTOFF", "DROP_FROM_PREVIOUS"));
        given().queryParam("status", "all")
                .get("/api/v1/clinics/" + clinic + "/alerts")
                .then()
                .body("items.findAll { it.reason == 'DROP_FROM_PREVIOUS' }.previousTotal", equalTo(List.of(40.0)))
                .body("items.findAll { it.reason == 'DROP_FROM_PREVIOUS' }.visitId", equalTo(List.of("v-b")));
    }

    /**
     * The same join when the request that re-keys changes nothing itself: a retry of the patient's
     * last visit, after a pod on the former key stored another of their visits with dr-a.
     */
    @Test
    void aRetryThatReKeysStillHasTheJoinedSequenceEvaluated() throws Exception {
        String clinic = unique("c");
        stored(clinic, "v-a", "k2025:" + hmac(K2025, "patient-retry"), 10);
        rate(clinic, "v-a", 10, 10, 10, 10); // 40
        Map<String, Object> last = with(with(visit(clinic, "v-c"), "providerId", "dr-b"), "patientId", "patient-retry");
        given().contentType(ContentType.JSON)
                .body(last)
                .post("/api/v1/visits")
                .then()
                .statusCode(201);
        stored(clinic, "v-b", "k2025:" + hmac(K2025, "patient-retry"), 5);
        rate(clinic, "v-b", 8, 8, 7, 7); // 30, first of the sequence left under the former key
        given().get("/api/v1/clinics/" + clinic + "/visits/v-b/ratings/SRS")
                .then()
                .body("alerts.reason", equalTo(List.of("BELOW_CUTOFF")));

        given().contentType(ContentType.JSON)
                .body(last)
                .post("/api/v1/visits")
                .then()
                .statusCode(200); // stored as it was: nothing in the request itself changed

        given().get("/api/v1/clinics/" + clinic + "/visits/v-b/ratings/SRS")
                .then()
                .body("alerts.reason", containsInAnyOrder("BELOW_CUTOFF", "DROP_FROM_PREVIOUS"));
    }

    @Test
    void theActiveKeyIsRegisteredByFingerprintNotBySecret() throws Exception {
        assertThat(db.string("SELECT fingerprint FROM pseudonym_key WHERE key_id = 'k2026'"))
                .isEqualTo(hmac(K2026, "rapport pseudonym key fingerprint v1"))
                .doesNotContain(K2026);
    }
}

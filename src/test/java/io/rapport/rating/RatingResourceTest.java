package io.rapport.rating;

import static io.rapport.support.Fixtures.instrument;
import static io.rapport.support.Fixtures.unique;
import static io.rapport.support.Fixtures.visit;
import static io.rapport.support.Fixtures.with;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.rapport.support.Contract;
import io.rapport.support.Db;
import io.rapport.support.Locks;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@QuarkusTest
class RatingResourceTest {

    @Inject
    Db db;

    @Inject
    Locks locks;

    private static final Instant DAY0 =
            Instant.now().truncatedTo(ChronoUnit.DAYS).minus(20, ChronoUnit.DAYS);

    private static Map<String, Object> rating(String clinic, String visitId, String instrument, Double... items) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("clinicId", clinic);
        m.put("visitId", visitId);
        m.put("instrument", instrument);
        m.put("items", Arrays.asList(items));
        m.put("submittedAt", DAY0.toString());
        return m;
    }

    private static Response postRating(Object body) {
        return given().contentType(ContentType.JSON).body(body).post("/api/v1/ratings");
    }

    /** A visit on day {@code day} after DAY0, with a given provider and patient. */
    private static void postVisit(String clinic, String visitId, String provider, String patient, int day) {
        postVisit(clinic, visitId, provider, patient, day, 201);
    }

    /** The same, answered {@code status}: 200 for a correction of a stored visit. */
    private static void postVisit(String clinic, String visitId, String provider, String patient, int day, int status) {
        Instant start = DAY0.plus(day, ChronoUnit.DAYS).plus(9, ChronoUnit.HOURS);
        given().contentType(ContentType.JSON)
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
                .statusCode(status);
    }

    private static List<Map<String, Object>> alerts(String clinic, String status) {
        return given().queryParam("status", status)
                .get("/api/v1/clinics/" + clinic + "/alerts")
                .then()
                .statusCode(200)
                .extract()
                .path("items");
    }

    @Test
    void scoresAnSrsRatingAndServesItBack() {
        String clinic = unique("c");
        postVisit(clinic, "v1", "dr-a", "pat-1", 1);
        // 9.1 + 8.7 + 9.3 + 9.0 = 36.1: at or above the cutoff of 36, no alert.
        postRating(rating(clinic, "v1", "SRS", 9.1, 8.7, 9.3, 9.0))
                .then()
                .statusCode(201)
                .header("Location", endsWith("/api/v1/clinics/" + clinic + "/visits/v1/ratings/SRS"))
                .body("total", equalTo(36.1))
                .body("complete", equalTo(true))
                .body("revision", equalTo(1))
                .body("alerts", empty());
        given().get("/api/v1/clinics/" + clinic + "/visits/v1/ratings/SRS")
                .then()
                .statusCode(200)
                .body("items", equalTo(List.of(9.1, 8.7, 9.3, 9.0)))
                .body("total", equalTo(36.1));
    }

    @Test
    void srsAtExactly36RaisesNothingAnd35Point9RaisesBelowCutoff() {
        String clinic = unique("c");
        postVisit(clinic, "v36", "dr-a", "pat-1", 1);
        postVisit(clinic, "v359", "dr-b", "pat-2", 1);
        // 9 + 9 + 9 + 9 = 36.0: not below 36.
        postRating(rating(clinic, "v36", "SRS", 9.0, 9.0, 9.0, 9.0))
                .then()
                .statusCode(201)
                .body("total", equalTo(36.0))
                .body("alerts", empty());
        // 9 + 9 + 9 + 8.9 = 35.9: below.
        postRating(rating(clinic, "v359", "SRS", 9.0, 9.0, 9.0, 8.9))
                .then()
                .statusCode(201)
                .body("total", equalTo(35.9))
                .body("alerts", hasSize(1))
                .body("alerts[0].reason", equalTo("BELOW_CUTOFF"))
                .body("alerts[0].cutoff", equalTo(36.0))
                .body("alerts[0].status", equalTo("OPEN"));
        List<Map<String, Object>> open = alerts(clinic, "open");
        assertThat(open).hasSize(1);
        assertThat(open.get(0))
                .containsEntry("visitId", "v359")
                .containsEntry("providerId", "dr-b")
                .containsEntry("instrument", "SRS")
                .containsEntry("total", 35.9);
    }

    @Test
    void theDropRuleComparesWithTheSamePatientsPreviousSrsWithTheSameProvider() {
        String clinic = unique("c");
        postVisit(clinic, "v1", "dr-a", "pat-1", 1);
        postVisit(clinic, "v2", "dr-b", "pat-1", 2);
        postVisit(clinic, "v3", "dr-a", "pat-1", 3);
        postVisit(clinic, "v4", "dr-a", "pat-1", 4);
        postVisit(clinic, "other", "dr-a", "pat-2", 2);

        postRating(rating(clinic, "v1", "SRS", 10.0, 10.0, 9.5, 9.5)).then().body("total", equalTo(39.0));
        // Another patient's low score with dr-a between the two must not count as pat-1's previous.
        postRating(rating(clinic, "other", "SRS", 5.0, 5.0, 5.0, 5.0)).then().body("total", equalTo(20.0));
        // With dr-b, 30 is below the cutoff, but there is no earlier SRS with dr-b: no drop.
        postRating(rating(clinic, "v2", "SRS", 7.5, 7.5, 7.5, 7.5))
                .then()
                .body("total", equalTo(30.0))
                .body("alerts.reason", equalTo(List.of("BELOW_CUTOFF")));
        // Back with dr-a: 39.0 -> 38.0 is a drop of exactly 1 point.
        postRating(rating(clinic, "v3", "SRS", 9.5, 9.5, 9.5, 9.5))
                .then()
                .body("total", equalTo(38.0))
                .body("alerts.reason", equalTo(List.of("DROP_FROM_PREVIOUS")))
                .body("alerts[0].previousTotal", equalTo(39.0));
        // 38.0 -> 37.5 is half a point: no drop, and 37.5 is above the cutoff.
        postRating(rating(clinic, "v4", "SRS", 9.5, 9.5, 9.5, 9.0))
                .then()
                .body("total", equalTo(37.5))
                .body("alerts", empty());
    }

    @Test
    void aRatingBeforeItsVisitIsKeptAndAlertsOnceTheVisitArrives() {
        String clinic = unique("c");
        postRating(rating(clinic, "early", "SRS", 5.0, 5.0, 5.0, 5.0))
                .then()
                .statusCode(201)
                .body("total", equalTo(20.0))
                .body("alerts", empty());
        assertThat(alerts(clinic, "all")).isEmpty();
        postVisit(clinic, "early", "dr-a", "pat-1", 1);
        List<Map<String, Object>> open = alerts(clinic, "open");
        assertThat(open).hasSize(1);
        assertThat(open.get(0)).containsEntry("visitId", "early").containsEntry("reason", "BELOW_CUTOFF");
    }

    @Test
    void aLateEarlierRatingReEvaluatesTheDropOfTheNextOne() {
        String clinic = unique("c");
        postVisit(clinic, "v1", "dr-a", "pat-1", 1);
        postVisit(clinic, "v2", "dr-a", "pat-1", 2);
        postRating(rating(clinic, "v2", "SRS", 9.0, 9.0, 9.0, 9.0)).then().body("alerts", empty());
        // v1 arrives late with 40: v2's 36 is now a 4-point drop.
        postRating(rating(clinic, "v1", "SRS", 10.0, 10.0, 10.0, 10.0)).then().statusCode(201);
        given().get("/api/v1/clinics/" + clinic + "/visits/v2/ratings/SRS")
                .then()
                .body("alerts.reason", equalTo(List.of("DROP_FROM_PREVIOUS")))
                .body("alerts[0].previousTotal", equalTo(40.0));
    }

    @Test
    void correctionsResolveAndRaiseAlertsWithoutDuplicates() {
        String clinic = unique("c");
        postVisit(clinic, "v1", "dr-a", "pat-1", 1);
        Map<String, Object> low = rating(clinic, "v1", "SRS", 8.0, 8.0, 8.0, 8.0);
        low.put("recordedAt", DAY0.plusSeconds(10).toString());
        postRating(low).then().statusCode(201).body("alerts", hasSize(1));
        postRating(low).then().statusCode(200).body("revision", equalTo(1)).body("alerts", hasSize(1));
        assertThat(alerts(clinic, "all")).hasSize(1);

        Map<String, Object> lifted = rating(clinic, "v1", "SRS", 9.5, 9.5, 9.5, 9.5);
        lifted.put("recordedAt", DAY0.plusSeconds(20).toString());
        postRating(lifted)
                .then()
                .statusCode(200)
                .body("revision", equalTo(2))
                .body("total", equalTo(38.0))
                .body("alerts", empty());
        assertThat(alerts(clinic, "open")).isEmpty();
        assertThat(alerts(clinic, "resolved")).hasSize(1);

        Map<String, Object> lowered = rating(clinic, "v1", "SRS", 7.0, 7.0, 7.0, 7.0);
        lowered.put("recordedAt", DAY0.plusSeconds(30).toString());
        postRating(lowered).then().statusCode(200).body("revision", equalTo(3)).body("alerts", hasSize(1));
        assertThat(alerts(clinic, "open")).hasSize(1);
        assertThat(alerts(clinic, "all")).hasSize(1);
        assertThat(db.count("SELECT count(*) FROM alert WHERE clinic_id = ?", clinic))
                .isEqualTo(1);

        // An older correction is ignored: the stored rating and its alert stand.
        Map<String, Object> stale = rating(clinic, "v1", "SRS", 10.0, 10.0, 10.0, 10.0);
        stale.put("recordedAt", DAY0.plusSeconds(15).toString());
        postRating(stale).then().statusCode(200).body("revision", equalTo(3)).body("total", equalTo(28.0));
    }

    @Test
    void alertsAreAcknowledgedOnceAndFilteredByProvider() {
        String clinic = unique("c");
        postVisit(clinic, "v1", "dr-a", "pat-1", 1);
        postVisit(clinic, "v2", "dr-b", "pat-2", 2);
        postRating(rating(clinic, "v1", "SRS", 5.0, 5.0, 5.0, 5.0)).then().statusCode(201);
        postRating(rating(clinic, "v2", "SRS", 6.0, 6.0, 6.0, 6.0)).then().statusCode(201);

        List<Map<String, Object>> open = alerts(clinic, "open");
        assertThat(open).extracting(a -> a.get("visitId")).containsExactly("v2", "v1");
        given().queryParam("providerId", "dr-a")
                .get("/api/v1/clinics/" + clinic + "/alerts")
                .then()
                .body("total", equalTo(1))
                .body("items[0].visitId", equalTo("v1"));
        given().queryParam("size", 1)
                .queryParam("page", 1)
                .get("/api/v1/clinics/" + clinic + "/alerts")
                .then()
                .body("total", equalTo(2))
                .body("items", hasSize(1))
                .body("items[0].visitId", equalTo("v1"));

        Number id = (Number) open.get(1).get("id");
        String ackAt = given().contentType(ContentType.JSON)
                .body(Map.of("note", "Called back; booked follow-up."))
                .post("/api/v1/clinics/" + clinic + "/alerts/" + id.longValue() + "/acknowledge")
                .then()
                .statusCode(200)
                .body("status", equalTo("ACKNOWLEDGED"))
                .body("note", equalTo("Called back; booked follow-up."))
                .body("acknowledgedAt", notNullValue())
                .extract()
                .path("acknowledgedAt");
        // Twice is harmless: same state, first acknowledgement kept.
        given().contentType(ContentType.JSON)
                .body("{}")
                .post("/api/v1/clinics/" + clinic + "/alerts/" + id.longValue() + "/acknowledge")
                .then()
                .statusCode(200)
                .body("status", equalTo("ACKNOWLEDGED"))
                .body("acknowledgedAt", equalTo(ackAt))
                .body("note", equalTo("Called back; booked follow-up."));
        assertThat(alerts(clinic, "open")).hasSize(1);
        assertThat(alerts(clinic, "acknowledged")).hasSize(1);

        // Another clinic cannot reach it.
        given().contentType(ContentType.JSON)
                .body("{}")
                .post("/api/v1/clinics/" + unique("c") + "/alerts/" + id.longValue() + "/acknowledge")
                .then()
                .statusCode(404)
                .contentType("application/problem+json");
        given().filter(Contract.invalidRequest())
                .queryParam("status", "closed")
                .get("/api/v1/clinics/" + clinic + "/alerts")
                .then()
                .statusCode(400)
                .body("violations[0].field", equalTo("status"));
        // Every bad parameter is named in one answer, not the first only.
        given().filter(Contract.invalidRequest())
                .queryParam("status", "closed")
                .queryParam("providerId", "dr p")
                .queryParam("page", "x")
                .queryParam("size", "201")
                .get("/api/v1/clinics/" + clinic + "/alerts")
                .then()
                .statusCode(400)
                .body("violations.field", containsInAnyOrder("status", "providerId", "page", "size"));
    }

    /**
     * An acknowledged alert that resolves and then comes back is a new concern nobody has seen:
     * it reopens with no acknowledgement, note or acknowledger left over from the first time.
     * SRS 5 * 4 = 20 is under the cutoff of 36; 10 * 4 = 40 is not.
     */
    @Test
    void aReopenedAlertCarriesNothingOfItsEarlierAcknowledgement() {
        String clinic = unique("c");
        postVisit(clinic, "v1", "dr-a", "pat-1", 1);
        postRating(rating(clinic, "v1", "SRS", 5.0, 5.0, 5.0, 5.0)).then().statusCode(201);
        Number id = (Number) alerts(clinic, "open").get(0).get("id");
        acknowledge(clinic, id, "Called back.").body("acknowledgedBy", notNullValue());

        postRating(rating(clinic, "v1", "SRS", 10.0, 10.0, 10.0, 10.0)).then().statusCode(200);
        assertThat(alerts(clinic, "open")).isEmpty();
        postRating(rating(clinic, "v1", "SRS", 5.0, 5.0, 5.0, 5.0)).then().statusCode(200);

        List<Map<String, Object>> open = alerts(clinic, "open");
        assertThat(open).hasSize(1);
        assertThat(open.get(0))
                .containsEntry("id", id)
                .containsEntry("status", "OPEN")
                .containsEntry("acknowledgedAt", null)
                .containsEntry("acknowledgedBy", null)
                .containsEntry("note", null);
    }

    /**
     * An acknowledgement is of the alert as it stood. Corrected for the worse (SRS 4 * 4 = 16 to
     * 3 * 4 = 12, further under the cutoff of 36), or its visit moved to another provider, it is a
     * concern nobody has seen: it reopens, acknowledgement, acknowledger and note cleared, and the
     * new provider's open list shows it. Corrected for the better but still under (12 to 5 * 4 =
     * 20), it keeps the acknowledgement.
     */
    @Test
    void anAcknowledgedAlertReopensWhenItGetsWorseOrMovesToAnotherProvider() {
        String clinic = unique("c");
        postVisit(clinic, "v1", "dr-a", "pat-1", 1);
        postRating(rating(clinic, "v1", "SRS", 4.0, 4.0, 4.0, 4.0)).then().statusCode(201);
        Number id = (Number) alerts(clinic, "open").get(0).get("id");
        acknowledge(clinic, id, "Called back.");

        postRating(rating(clinic, "v1", "SRS", 3.0, 3.0, 3.0, 3.0)).then().statusCode(200);
        List<Map<String, Object>> open = alerts(clinic, "open");
        assertThat(open).hasSize(1);
        assertThat(open.get(0))
                .containsEntry("id", id)
                .containsEntry("total", 12.0)
                .containsEntry("acknowledgedBy", null)
                .containsEntry("note", null);

        acknowledge(clinic, id, "Seen at 12.");
        postRating(rating(clinic, "v1", "SRS", 5.0, 5.0, 5.0, 5.0)).then().statusCode(200);
        assertThat(alerts(clinic, "open")).isEmpty();
        assertThat(alerts(clinic, "acknowledged").get(0))
                .containsEntry("total", 20.0)
                .containsEntry("note", "Seen at 12.");

        postVisit(clinic, "v1", "dr-b", "pat-1", 1, 200);
        List<Map<String, Object>> moved = given().queryParam("providerId", "dr-b")
                .get("/api/v1/clinics/" + clinic + "/alerts")
                .then()
                .statusCode(200)
                .extract()
                .path("items");
        assertThat(moved).hasSize(1);
        assertThat(moved.get(0))
                .containsEntry("id", id)
                .containsEntry("status", "OPEN")
                .containsEntry("total", 20.0)
                .containsEntry("acknowledgedAt", null)
                .containsEntry("note", null);
    }

    private static io.restassured.response.ValidatableResponse acknowledge(String clinic, Number id, String note) {
        return given().contentType(ContentType.JSON)
                .body(Map.of("note", note))
                .post("/api/v1/clinics/" + clinic + "/alerts/" + id.longValue() + "/acknowledge")
                .then()
                .statusCode(200)
                .body("status", equalTo("ACKNOWLEDGED"));
    }

    /**
     * A platform's post of a rating is answered with the rating's alerts, but not with what a
     * manager did with them: who acknowledged one and the note are for analysts and admins, and an
     * ingest token's replay of an acknowledged rating was answered with both. SRS 5 * 4 = 20 is
     * under the cutoff of 36.
     */
    @Test
    void aPlatformsPostIsAnsweredWithoutWhoAcknowledgedItsAlertOrTheirNote() {
        String clinic = unique("c");
        postVisit(clinic, "v1", "dr-a", "pat-1", 1);
        Map<String, Object> low = rating(clinic, "v1", "SRS", 5.0, 5.0, 5.0, 5.0);
        postRating(low).then().statusCode(201);
        Number id = (Number) alerts(clinic, "open").get(0).get("id");
        acknowledge(clinic, id, "Called back; booked follow-up.");

        String platform = io.rapport.support.Tokens.bearer(io.rapport.support.Tokens.token(
                unique("platform"), List.of(io.rapport.security.Roles.INGEST), List.of(clinic)));
        given().header("Authorization", platform)
                .contentType(ContentType.JSON)
                .body(low)
                .post("/api/v1/ratings")
                .then()
                .statusCode(200)
                .body("alerts", hasSize(1))
                .body("alerts[0].id", equalTo(id.intValue()))
                .body("alerts[0].reason", equalTo("BELOW_CUTOFF"))
                .body("alerts[0].status", equalTo("ACKNOWLEDGED"))
                .body("alerts[0].acknowledgedBy", nullValue())
                .body("alerts[0].note", nullValue());
        // The manager's own read still has both.
        given().get("/api/v1/clinics/" + clinic + "/visits/v1/ratings/SRS")
                .then()
                .statusCode(200)
                .body("alerts[0].acknowledgedBy", notNullValue())
                .body("alerts[0].note", equalTo("Called back; booked follow-up."));
    }

    @Test
    void badAnswersAre400NamingEachItemAndStoreNothing() {
        String clinic = unique("c");
        postRating(rating(clinic, "v1", "SRS", 9.0, 7.25, 11.0, null))
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("violations.field", equalTo(List.of("items[1]", "items[2]", "items[3]")));
        // Named beside a wrong type elsewhere in the body too: they were left for the next try.
        given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body(with(rating(clinic, "v1", "SRS", 11.0, 7.25, 9.0, 9.0), "recordedAt", 5))
                .post("/api/v1/ratings")
                .then()
                .statusCode(400)
                .body("violations.field", equalTo(List.of("items[0]", "items[1]", "recordedAt")));
        postRating(rating(clinic, "v1", "SRS", 9.0, 9.0, 9.0))
                .then()
                .statusCode(400)
                .body("violations.field", hasItem("items"));
        postRating(rating(clinic, "v1", "NOPE", 1.0))
                .then()
                .statusCode(400)
                .body("violations.field", hasItem("instrument"));
        postRating(rating(clinic, "v1", "WAI-SR", 1.0, 2.0, 3.0, 4.0, 5.0, 0.0, 1.0, 2.0, 3.0, 4.0, 4.5, 6.0))
                .then()
                .statusCode(400)
                .body("violations.field", equalTo(List.of("items[5]", "items[10]", "items[11]")));
        Map<String, Object> noItems = rating(clinic, "v1", "SRS");
        noItems.remove("items");
        given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body(noItems)
                .post("/api/v1/ratings")
                .then()
                .statusCode(400)
                .body("violations.field", hasItem("items"));
        given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body(with(rating(clinic, "v1", "SRS", 9.0, 9.0, 9.0, 9.0), "score", 1))
                .post("/api/v1/ratings")
                .then()
                .statusCode(400)
                .body("violations[0].field", equalTo("score"));
        assertThat(db.count("SELECT count(*) FROM rating WHERE clinic_id = ?", clinic))
                .isZero();
    }

    @Test
    void otherInstrumentsScoreAsPublished() {
        String clinic = unique("c");
        postVisit(clinic, "v1", "dr-a", "pat-1", 1);
        // CARE with two "does not apply": 8 answers sum to 4+5+3+4+5+4+3+4 = 32, mean 4, total 32 + 2 x 4 = 40.
        postRating(rating(clinic, "v1", "CARE", 4.0, 5.0, null, 3.0, 4.0, 5.0, null, 4.0, 3.0, 4.0))
                .then()
                .statusCode(201)
                .body("total", equalTo(40.0))
                .body("complete", equalTo(true));
        // NPS 6 is a detractor: below the cutoff of 7.
        postRating(rating(clinic, "v1", "NPS", 6.0))
                .then()
                .statusCode(201)
                .body("category", equalTo("detractor"))
                .body("alerts.reason", equalTo(List.of("BELOW_CUTOFF")));
        // RAPPORT-5 with one missing: (2 + 3 + 2 + 3) / 4 = 2.5, below 3.
        postRating(rating(clinic, "v1", "RAPPORT-5", 2.0, 3.0, null, 2.0, 3.0))
                .then()
                .statusCode(201)
                .body("total", equalTo(2.5))
                .body("alerts", hasSize(1));
        // WAI-SR: Task 1,2,10,12 = 4+4+5+5 = 18; Bond 3,5,7,9 = 3+3+3+3 = 12; Goal 4,6,8,11 = 2+2+2+2 = 8; total 38.
        postRating(rating(clinic, "v1", "WAI-SR", 4.0, 4.0, 3.0, 2.0, 3.0, 2.0, 3.0, 2.0, 3.0, 5.0, 2.0, 5.0))
                .then()
                .statusCode(201)
                .body("total", equalTo(38.0))
                .body("subscales.Task", equalTo(18.0))
                .body("subscales.Bond", equalTo(12.0))
                .body("subscales.Goal", equalTo(8.0));
    }

    /** The names of one JSON object of a body, in the order the body gives them. */
    private static List<String> names(Response response, String field) throws Exception {
        List<String> out = new java.util.ArrayList<>();
        new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(response.asString())
                .get(field)
                .fieldNames()
                .forEachRemaining(out::add);
        return out;
    }

    /**
     * Subscales come back in the order their definition lists them, not in the order PostgreSQL's
     * jsonb keeps keys (shorter first, then by bytes), for a built-in and for a clinic's own
     * instrument, whose definition is itself stored as jsonb.
     */
    @Test
    void subscalesAreReportedInTheOrderTheirDefinitionListsThem() throws Exception {
        String clinic = unique("c");
        postVisit(clinic, "v1", "dr-a", "pat-1", 1);
        Response posted =
                postRating(rating(clinic, "v1", "WAI-SR", 4.0, 4.0, 3.0, 2.0, 3.0, 2.0, 3.0, 2.0, 3.0, 5.0, 2.0, 5.0));
        posted.then().statusCode(201);
        Response read = given().get("/api/v1/clinics/" + clinic + "/visits/v1/ratings/WAI-SR");
        assertThat(names(posted, "subscales")).containsExactly("Task", "Bond", "Goal");
        assertThat(names(read, "subscales")).containsExactly("Task", "Bond", "Goal");
        assertThat(names(given().get("/api/v1/instruments/WAI-SR"), "subscales"))
                .containsExactly("Task", "Bond", "Goal");

        Map<String, Object> subscales = new LinkedHashMap<>();
        subscales.put("Zeta", List.of(1, 2));
        subscales.put("Al", List.of(3));
        given().contentType(ContentType.JSON)
                .body(with(instrument(clinic, "ORDER-3"), "subscales", subscales))
                .post("/api/v1/instruments")
                .then()
                .statusCode(201);
        Response definition = given().queryParam("clinicId", clinic).get("/api/v1/instruments/ORDER-3");
        assertThat(names(definition, "subscales")).containsExactly("Zeta", "Al");
        Response own = postRating(rating(clinic, "v1", "ORDER-3", 2.0, 4.0, 5.0));
        own.then().statusCode(201).body("subscales.Zeta", equalTo(3.0)).body("subscales.Al", equalTo(5.0));
        assertThat(names(own, "subscales")).containsExactly("Zeta", "Al");
        assertThat(names(given().get("/api/v1/clinics/" + clinic + "/visits/v1/ratings/ORDER-3"), "subscales"))
                .containsExactly("Zeta", "Al");

        // The order is part of the definition: a new order at the same version is a different
        // definition, and a higher version brings it in (the scale is the same, so ratings stay).
        Map<String, Object> reordered = new LinkedHashMap<>();
        reordered.put("Al", List.of(3));
        reordered.put("Zeta", List.of(1, 2));
        given().contentType(ContentType.JSON)
                .body(with(instrument(clinic, "ORDER-3"), "subscales", reordered))
                .post("/api/v1/instruments")
                .then()
                .statusCode(409)
                .contentType("application/problem+json");
        given().contentType(ContentType.JSON)
                .body(with(instrument(clinic, "ORDER-3"), "subscales", reordered, "version", 2))
                .post("/api/v1/instruments")
                .then()
                .statusCode(200);
        definition = given().queryParam("clinicId", clinic).get("/api/v1/instruments/ORDER-3");
        assertThat(names(definition, "subscales")).containsExactly("Al", "Zeta");
        assertThat(names(given().get("/api/v1/clinics/" + clinic + "/visits/v1/ratings/ORDER-3"), "subscales"))
                .containsExactly("Al", "Zeta");
    }

    @Test
    void aBatchOfRatingsReportsEachItem() {
        String clinic = unique("c");
        List<Object> batch = List.of(
                rating(clinic, "v1", "NPS", 10.0),
                rating(clinic, "v1", "NPS", 12.0),
                rating(clinic, "v2", "CARE", 1.0, 1.0, 1.0, null, null, null, 1.0, 1.0, 1.0, 1.0));
        given().contentType(ContentType.JSON)
                .body(batch)
                .post("/api/v1/ratings/batch")
                .then()
                .statusCode(200)
                .body("created", equalTo(2))
                .body("rejected", equalTo(1))
                .body("results.status", equalTo(List.of("created", "rejected", "created")))
                .body("results[1].violations[0].field", equalTo("[1].items[0]"));
        // CARE with three "does not apply" is kept but not scored.
        given().get("/api/v1/clinics/" + clinic + "/visits/v2/ratings/CARE")
                .then()
                .statusCode(200)
                .body("complete", equalTo(false))
                .body("total", nullValue());
    }

    /**
     * A step JSON can write but a double cannot hold (1e400 reads as Infinity) was registered, then
     * could not be read back, and every request about the clinic's instruments answered 500; a step
     * wider than the scale let any answer through the step check. Both are refused, nothing is
     * stored, and the clinic's instruments still list.
     */
    @Test
    void aStepThatIsInfiniteOrWiderThanTheScaleIsRefused() throws Exception {
        String clinic = unique("c");
        String huge = new com.fasterxml.jackson.databind.ObjectMapper()
                .writeValueAsString(with(instrument(clinic, "STEP-1"), "itemStep", 0.25))
                .replace("\"itemStep\":0.25", "\"itemStep\":1e400");
        assertThat(huge).contains("1e400");
        given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body(huge)
                .post("/api/v1/instruments")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("violations.field", equalTo(List.of("itemStep")))
                .body("violations[0].message", equalTo("must be a finite number"));
        // The fixture's scale is 1..5: a step of 10 leaves no whole step between its ends.
        given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body(with(instrument(clinic, "STEP-1"), "itemStep", 10))
                .post("/api/v1/instruments")
                .then()
                .statusCode(400)
                .body("violations.field", equalTo(List.of("itemStep")))
                .body("violations[0].message", equalTo("must be at most itemMax - itemMin (4)"));
        assertOnlyBuiltInsListed(clinic);
    }

    /**
     * A definition's numbers and flags are read as required (a missing one is named, never taken as
     * 0 or false), and the document says so: it listed them as optional and nullable, so a client
     * built from it could leave out dropThreshold beside dropAlert false and get a 400 it was not
     * told of. Both the document and the service refuse such a body.
     */
    @Test
    void aDefinitionWithoutItsNumbersBreaksTheDocumentAndIsRefusedNamingThem() {
        String clinic = unique("c");
        Map<String, Object> without = new LinkedHashMap<>(instrument(clinic, "BARE-1"));
        List.of("dropAlert", "dropThreshold").forEach(without::remove);
        AssertionError e = org.assertj.core.api.Assertions.catchThrowableOfType(
                AssertionError.class,
                () -> given().contentType(ContentType.JSON).body(without).post("/api/v1/instruments"));
        assertThat(e.getMessage()).contains("The request of POST").contains("dropThreshold");
        given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body(without)
                .post("/api/v1/instruments")
                .then()
                .statusCode(400)
                .body("violations.field", equalTo(List.of("dropAlert", "dropThreshold")));
    }

    /** Configuration names codes folded, so a new code that folds to a built-in's would take its cutoff. */
    @Test
    void aNewCodeThatFoldsToABuiltInsIsRefused() {
        String clinic = unique("c");
        for (String code : List.of("WAI_SR", "RAPPORT_5")) {
            given().contentType(ContentType.JSON)
                    .body(instrument(clinic, code))
                    .post("/api/v1/instruments")
                    .then()
                    .statusCode(409)
                    .contentType("application/problem+json")
                    .body("detail", containsString(code + " reads as the built-in"));
        }
        assertOnlyBuiltInsListed(clinic);
    }

    /** Nothing of a refused registration was stored: the clinic sees the built-ins alone. */
    private static void assertOnlyBuiltInsListed(String clinic) {
        given().queryParam("clinicId", clinic)
                .get("/api/v1/instruments")
                .then()
                .statusCode(200)
                .body("code", equalTo(List.of("SRS", "WAI-SR", "CARE", "NPS", "RAPPORT-5")));
    }

    @Test
    void instrumentsAreListedAndClinicsRegisterTheirOwn() {
        String clinic = unique("c");
        given().get("/api/v1/instruments")
                .then()
                .statusCode(200)
                .body("code", equalTo(List.of("SRS", "WAI-SR", "CARE", "NPS", "RAPPORT-5")));
        given().get("/api/v1/instruments/RAPPORT-5")
                .then()
                .statusCode(200)
                .body("items", equalTo(5))
                .body("itemTexts", hasSize(5))
                .body("itemTexts[0]", containsString("heard"));
        given().get("/api/v1/instruments/SRS").then().statusCode(200).body("itemTexts", nullValue());
        given().get("/api/v1/instruments/NOPE").then().statusCode(404).contentType("application/problem+json");

        Map<String, Object> def = with(
                instrument(clinic, "TELE-3"),
                "name",
                "Telehealth comfort check",
                "itemTexts",
                List.of("Sound was clear.", "I could show what I needed.", "I would choose video again."),
                "subscales",
                Map.of(),
                "missing",
                Map.of("policy", "MEAN_OF_ANSWERED", "maxMissing", 1, "overLimit", "REJECT"),
                "categories",
                List.of());
        given().contentType(ContentType.JSON)
                .body(def)
                .post("/api/v1/instruments")
                .then()
                .statusCode(201);
        given().contentType(ContentType.JSON)
                .body(def)
                .post("/api/v1/instruments")
                .then()
                .statusCode(200);
        // A broken element of a list is named by its index alone, as the request wrote it.
        given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body(with(def, "code", "TELE-4", "itemTexts", java.util.Arrays.asList("a", null, "c")))
                .post("/api/v1/instruments")
                .then()
                .statusCode(400)
                .body("violations.field", equalTo(List.of("itemTexts[1]")));
        given().contentType(ContentType.JSON)
                .body(with(def, "name", "changed"))
                .post("/api/v1/instruments")
                .then()
                .statusCode(409)
                .contentType("application/problem+json");
        given().contentType(ContentType.JSON)
                .body(with(def, "code", "SRS"))
                .post("/api/v1/instruments")
                .then()
                .statusCode(409)
                .body("detail", containsString("built-in"));
        given().contentType(ContentType.JSON)
                .body(with(def, "code", "BAD-1", "itemMax", 0, "itemTexts", List.of("one")))
                .post("/api/v1/instruments")
                .then()
                .statusCode(400)
                .body("violations.field", hasItem("itemMax"))
                .body("violations.field", hasItem("itemTexts"));
        // Totals within 1e-9 of each other count as equal, so a drop threshold that small would
        // open a drop alert for two equal totals.
        given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body(with(def, "code", "BAD-2", "dropAlert", true, "dropThreshold", 1e-300))
                .post("/api/v1/instruments")
                .then()
                .statusCode(400)
                .body("violations.field", equalTo(List.of("dropThreshold")));
        assertThat(db.count("SELECT count(*) FROM instrument WHERE clinic_id = ?", clinic))
                .isEqualTo(1);

        given().queryParam("clinicId", clinic).get("/api/v1/instruments").then().body("code", hasItem("TELE-3"));
        given().get("/api/v1/instruments").then().body("code", hasSize(5));

        postVisit(clinic, "v1", "dr-a", "pat-1", 1);
        // (2 + 3 + 2) / 3 = 2.333..., below its cutoff of 2.5.
        postRating(rating(clinic, "v1", "TELE-3", 2.0, 3.0, 2.0))
                .then()
                .statusCode(201)
                .body("total", closeTo(7.0 / 3.0, 1e-9))
                .body("alerts.reason", equalTo(List.of("BELOW_CUTOFF")));
        // Another clinic does not see TELE-3.
        postRating(rating(unique("c"), "v1", "TELE-3", 2.0, 3.0, 2.0)).then().statusCode(400);
    }

    /**
     * A new version of a clinic's instrument judges every stored rating of it again, at once: its
     * stored totals stay, its alerts follow the new cutoff and drop rule, in every sequence, not
     * only in those a later write touches. Means worked by hand: (3+3+3)/3 = 3, (2+3+3)/3 = 2.667,
     * (2+2+3)/3 = 2.333.
     */
    @Test
    void aNewInstrumentVersionJudgesTheStoredRatingsAgain() {
        String clinic = unique("c");
        Map<String, Object> v1 = with(instrument(clinic, "TELE-V"), "dropAlert", true, "dropThreshold", 1.0);
        given().contentType(ContentType.JSON)
                .body(v1)
                .post("/api/v1/instruments")
                .then()
                .statusCode(201);
        postVisit(clinic, "a1", "dr-a", "pat-1", 1);
        postVisit(clinic, "a2", "dr-a", "pat-1", 2);
        postVisit(clinic, "b1", "dr-b", "pat-2", 3);
        postRating(rating(clinic, "a1", "TELE-V", 3.0, 3.0, 3.0)).then().statusCode(201);
        postRating(rating(clinic, "a2", "TELE-V", 2.0, 3.0, 3.0)).then().statusCode(201);
        postRating(rating(clinic, "b1", "TELE-V", 2.0, 2.0, 3.0)).then().statusCode(201);
        // Version 1: only 2.333 is below 2.5, and the fall of 0.333 is under 1.
        assertThat(openAlerts(clinic)).containsExactly("b1 BELOW_CUTOFF");

        // Version 2: cutoff 2.8, so 2.667 is below it too, and a fall of 0.333 now counts.
        given().contentType(ContentType.JSON)
                .body(with(v1, "version", 2, "defaultCutoff", 2.8, "dropThreshold", 0.3))
                .post("/api/v1/instruments")
                .then()
                .statusCode(200);
        assertThat(openAlerts(clinic)).containsExactly("a2 BELOW_CUTOFF", "a2 DROP_FROM_PREVIOUS", "b1 BELOW_CUTOFF");
        given().get("/api/v1/clinics/" + clinic + "/visits/a2/ratings/TELE-V")
                .then()
                .statusCode(200)
                .body("total", closeTo(8.0 / 3.0, 1e-9));

        // Version 3: cutoff 2.0 and no drop rule: every alert resolves.
        given().contentType(ContentType.JSON)
                .body(with(v1, "version", 3, "defaultCutoff", 2.0, "dropAlert", false, "dropThreshold", 0))
                .post("/api/v1/instruments")
                .then()
                .statusCode(200);
        assertThat(openAlerts(clinic)).isEmpty();
        assertThat(alerts(clinic, "resolved")).hasSize(3);
    }

    /**
     * Stored ratings keep their totals, so once one is stored a version may change what judges or
     * describes a total but not how answers are scored; before any rating, the scale may still be
     * corrected.
     */
    @Test
    void aNewScaleIsRefusedOnceRatingsWereScoredByTheOld() {
        String clinic = unique("c");
        Map<String, Object> v1 = instrument(clinic, "TELE-S");
        given().contentType(ContentType.JSON)
                .body(v1)
                .post("/api/v1/instruments")
                .then()
                .statusCode(201);
        // Neither the clinic's ratings of another instrument nor another clinic's ratings of its
        // own TELE-S are ratings of this one.
        postVisit(clinic, "v1", "dr-a", "pat-1", 1);
        postRating(rating(clinic, "v1", "SRS", 9.0, 9.0, 9.0, 9.0)).then().statusCode(201);
        String other = unique("c");
        given().contentType(ContentType.JSON)
                .body(instrument(other, "TELE-S"))
                .post("/api/v1/instruments")
                .then()
                .statusCode(201);
        postRating(rating(other, "v1", "TELE-S", 3.0, 3.0, 3.0)).then().statusCode(201);
        Map<String, Object> v2 = with(v1, "version", 2, "itemMax", 7);
        given().contentType(ContentType.JSON)
                .body(v2)
                .post("/api/v1/instruments")
                .then()
                .statusCode(200);
        // 7 is on version 2's scale, not on version 1's.
        postRating(rating(clinic, "v1", "TELE-S", 7.0, 3.0, 2.0)).then().statusCode(201);

        given().contentType(ContentType.JSON)
                .body(with(v2, "version", 3, "itemMax", 5, "itemStep", 0.5))
                .post("/api/v1/instruments")
                .then()
                .statusCode(409)
                .contentType("application/problem+json")
                .body("detail", containsString("(itemMax, itemStep)"))
                .body("detail", containsString("new code"));
        given().contentType(ContentType.JSON)
                .body(with(
                        v2,
                        "version",
                        3,
                        "missing",
                        Map.of("policy", "MEAN_OF_ANSWERED", "maxMissing", 1, "overLimit", "REJECT")))
                .post("/api/v1/instruments")
                .then()
                .statusCode(409)
                .body("detail", containsString("(missing)"));
        assertThat(db.count("SELECT version FROM instrument WHERE clinic_id = ? AND code = 'TELE-S'", clinic))
                .isEqualTo(2);

        // Its name, wording and cutoff may still change: they do not score an answer. Nor does an
        // empty set of subscales where there were none.
        given().contentType(ContentType.JSON)
                .body(with(
                        v2,
                        "version",
                        3,
                        "name",
                        "Renamed",
                        "itemTexts",
                        List.of("a", "b", "c"),
                        "defaultCutoff",
                        3.0,
                        "subscales",
                        Map.of()))
                .post("/api/v1/instruments")
                .then()
                .statusCode(200);
        given().get("/api/v1/clinics/" + clinic + "/visits/v1/ratings/TELE-S")
                .then()
                .statusCode(200)
                .body("total", closeTo(4.0, 1e-9));
    }

    /**
     * A new version's bands apply to the stored ratings too, since an NPS-style score compares
     * their categories with the current band names. Six answers of 8: passives under version 1
     * (7-8), promoters under version 2 (8-10, its names capitalised), so the score goes from 0 (no
     * promoter, no detractor) to 100 (six promoters of six).
     */
    @Test
    void aNewVersionsBandsApplyToTheStoredRatings() {
        String clinic = unique("c");
        // One answer of 0 to 10, itself the total, in three bands (its cutoff of 2.5 raises nothing here).
        Map<String, Object> v1 = with(
                instrument(clinic, "PULSE-N"),
                "name",
                "Would you recommend us",
                "items",
                1,
                "itemMin",
                0,
                "itemMax",
                10,
                "total",
                "ITEM",
                "categories",
                List.of(band("detractor", 0, 6), band("passive", 7, 8), band("promoter", 9, 10)));
        given().contentType(ContentType.JSON)
                .body(v1)
                .post("/api/v1/instruments")
                .then()
                .statusCode(201);
        for (int i = 1; i <= 6; i++) {
            postVisit(clinic, "v" + i, "dr-a", "pat-" + i, i);
            postRating(rating(clinic, "v" + i, "PULSE-N", 8.0)).then().statusCode(201);
        }
        given().get("/api/v1/clinics/" + clinic + "/summary")
                .then()
                .statusCode(200)
                .body("ratings.PULSE-N.npsScore", closeTo(0.0, 1e-9));

        given().contentType(ContentType.JSON)
                .body(with(
                        v1,
                        "version",
                        2,
                        "categories",
                        List.of(band("Detractor", 0, 6), band("Passive", 7, 7), band("Promoter", 8, 10))))
                .post("/api/v1/instruments")
                .then()
                .statusCode(200);
        given().get("/api/v1/clinics/" + clinic + "/summary")
                .then()
                .statusCode(200)
                .body("ratings.PULSE-N.npsScore", closeTo(100.0, 1e-9));
        given().get("/api/v1/clinics/" + clinic + "/visits/v3/ratings/PULSE-N")
                .then()
                .statusCode(200)
                .body("category", equalTo("Promoter"));

        // A summary reads the band names before its snapshot: one whose ratings were re-banded
        // from "promoter" to "Promoter" in between still counts them (as stored before the rename).
        assertThat(db.update(
                        "UPDATE rating SET category = 'promoter' WHERE clinic_id = ? AND instrument = 'PULSE-N'",
                        clinic))
                .isEqualTo(6);
        given().get("/api/v1/clinics/" + clinic + "/summary")
                .then()
                .statusCode(200)
                .body("ratings.PULSE-N.npsScore", closeTo(100.0, 1e-9));

        // A band's name may hold 64 characters, and so may the category of a rating in it.
        String longName = "Promoter, would tell a friend about this clinic unprompted".substring(0, 58);
        given().contentType(ContentType.JSON)
                .body(with(
                        v1,
                        "version",
                        3,
                        "categories",
                        List.of(band("Detractor", 0, 6), band("Passive", 7, 7), band(longName, 8, 10))))
                .post("/api/v1/instruments")
                .then()
                .statusCode(200);
        postVisit(clinic, "v7", "dr-a", "pat-7", 7);
        postRating(rating(clinic, "v7", "PULSE-N", 9.0)).then().statusCode(201).body("category", equalTo(longName));
        given().get("/api/v1/clinics/" + clinic + "/visits/v1/ratings/PULSE-N")
                .then()
                .statusCode(200)
                .body("category", equalTo(longName));
    }

    private static Map<String, Object> band(String name, double min, double max) {
        return Map.of("name", name, "min", min, "max", max);
    }

    /**
     * A rating scored by the version read with its request, when a version with another scale
     * commits before the rating is stored: the store finds it under the instrument's lock and
     * answers 503, storing nothing, and the retry is scored by the new version. The registration
     * in progress is played by hand, its lock and its row, and commits once the rating waits for
     * that lock.
     */
    @Test
    void aRatingScoredByAVersionReplacedMeanwhileIsRetriedNotMixedIn() throws Exception {
        String clinic = unique("c");
        given().contentType(ContentType.JSON)
                .body(instrument(clinic, "TELE-R"))
                .post("/api/v1/instruments")
                .then()
                .statusCode(201);
        postVisit(clinic, "v1", "dr-a", "pat-1", 1);
        Connection registration = locks.hold("SELECT pg_advisory_xact_lock(hashtext(?))", clinic + ":TELE-R");
        CompletableFuture<Response> first;
        try {
            try (PreparedStatement ps = registration.prepareStatement(
                    "UPDATE instrument SET version = 2, definition = jsonb_set(jsonb_set(definition, '{version}',"
                            + " '2'), '{total}', '\"SUM\"') WHERE clinic_id = ? AND code = 'TELE-R'")) {
                ps.setString(1, clinic);
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            first = CompletableFuture.supplyAsync(() -> postRating(rating(clinic, "v1", "TELE-R", 2.0, 3.0, 2.0)));
            locks.awaitWaiting("advisory", 1);
            registration.commit();
        } finally {
            registration.close();
        }
        first.get(30, TimeUnit.SECONDS)
                .then()
                .statusCode(503)
                .contentType("application/problem+json")
                .header("Retry-After", notNullValue())
                .body("detail", containsString("TELE-R"));
        assertThat(db.count("SELECT count(*) FROM rating WHERE clinic_id = ?", clinic))
                .isZero();
        // Scored by version 2, the sum: 2 + 3 + 2.
        postRating(rating(clinic, "v1", "TELE-R", 2.0, 3.0, 2.0))
                .then()
                .statusCode(201)
                .body("total", closeTo(7.0, 1e-9));
    }

    /** The clinic's open alerts as "visit REASON", sorted. */
    private static List<String> openAlerts(String clinic) {
        return alerts(clinic, "open").stream()
                .map(a -> a.get("visitId") + " " + a.get("reason"))
                .sorted()
                .toList();
    }

    @Test
    void correctingAVisitsProviderReEvaluatesTheDropThatFollowedIt() {
        String clinic = unique("c");
        postVisit(clinic, "a", "dr-p", "pat-1", 1);
        postVisit(clinic, "b", "dr-p", "pat-1", 2);
        postRating(rating(clinic, "a", "SRS", 10.0, 10.0, 9.5, 9.5)).then().body("total", equalTo(39.0));
        // 39.0 -> 37.5 with the same provider: a drop of 1.5.
        postRating(rating(clinic, "b", "SRS", 9.5, 9.5, 9.5, 9.0))
                .then()
                .body("alerts.reason", equalTo(List.of("DROP_FROM_PREVIOUS")));

        // Visit a was really with dr-q: b now has no earlier SRS with dr-p, so no drop.
        Instant start = DAY0.plus(1, ChronoUnit.DAYS).plus(9, ChronoUnit.HOURS);
        given().contentType(ContentType.JSON)
                .body(with(
                        visit(clinic, "a"),
                        "providerId",
                        "dr-q",
                        "patientId",
                        "pat-1",
                        "scheduledStart",
                        start.toString(),
                        "startedAt",
                        start.toString(),
                        "endedAt",
                        start.plusSeconds(1800).toString()))
                .post("/api/v1/visits")
                .then()
                .statusCode(200)
                .body("revision", equalTo(2));
        given().get("/api/v1/clinics/" + clinic + "/visits/b/ratings/SRS")
                .then()
                .body("alerts", empty());
        assertThat(alerts(clinic, "resolved")).extracting(a -> a.get("reason")).containsExactly("DROP_FROM_PREVIOUS");
    }
}

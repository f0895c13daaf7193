package io.rapport.security;

import static io.rapport.support.Fixtures.unique;
import static io.rapport.support.Fixtures.visit;
import static io.rapport.support.Fixtures.with;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.rapport.support.Contract;
import io.rapport.support.Db;
import io.rapport.support.Tokens;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/** Which role may call which endpoint, and which clinics a token sees and writes. */
@QuarkusTest
class RolesAndScopesTest {

    @Inject
    Db db;

    /** One call of one endpoint for a clinic, made with a given token. */
    private record Endpoint(String name, Set<String> allowed, int success, Function<Seed, Response> call) {}

    /** A clinic with a visit, an SRS rating below the cutoff and the alert it raised. */
    private record Seed(String clinic, String visitId, long alertId, String token) {
        RequestSpecification as() {
            return given().header("Authorization", Tokens.bearer(token));
        }
    }

    private static final Set<String> INGEST = Set.of(Roles.INGEST);
    private static final Set<String> READERS = Set.of(Roles.ANALYST, Roles.ADMIN);
    private static final Set<String> ADMIN = Set.of(Roles.ADMIN);
    private static final Set<String> EVERYONE = Set.of(Roles.INGEST, Roles.ANALYST, Roles.ADMIN);

    private static String base(Seed s) {
        return "/api/v1/clinics/" + s.clinic();
    }

    private static Map<String, Object> srs(String clinic, String visitId) {
        return Map.of(
                "clinicId",
                clinic,
                "visitId",
                visitId,
                "instrument",
                "SRS",
                "items",
                List.of(9.0, 9.0, 9.0, 8.0),
                "submittedAt",
                Instant.now().minus(1, ChronoUnit.HOURS).toString());
    }

    private static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint(
                    "POST visits",
                    INGEST,
                    201,
                    s -> s.as().contentType(ContentType.JSON)
                            .body(visit(s.clinic(), unique("v")))
                            .post("/api/v1/visits")),
            new Endpoint(
                    "POST visits/batch",
                    INGEST,
                    200,
                    s -> s.as().contentType(ContentType.JSON)
                            .body(List.of(visit(s.clinic(), unique("v"))))
                            .post("/api/v1/visits/batch")),
            new Endpoint("GET visit", READERS, 200, s -> s.as().get(base(s) + "/visits/" + s.visitId())),
            new Endpoint(
                    "POST ratings",
                    INGEST,
                    201,
                    s -> s.as().contentType(ContentType.JSON)
                            .body(srs(s.clinic(), unique("v")))
                            .post("/api/v1/ratings")),
            new Endpoint(
                    "POST ratings/batch",
                    INGEST,
                    200,
                    s -> s.as().contentType(ContentType.JSON)
                            .body(List.of(srs(s.clinic(), unique("v"))))
                            .post("/api/v1/ratings/batch")),
            new Endpoint(
                    "GET rating", READERS, 200, s -> s.as().get(base(s) + "/visits/" + s.visitId() + "/ratings/SRS")),
            new Endpoint("GET instruments", EVERYONE, 200, s -> s.as().get("/api/v1/instruments")),
            new Endpoint("GET instrument", EVERYONE, 200, s -> s.as().get("/api/v1/instruments/SRS")),
            new Endpoint(
                    "POST instruments",
                    ADMIN,
                    201,
                    s -> s.as().contentType(ContentType.JSON)
                            .body(instrument(
                                    s.clinic(), unique("X").toUpperCase().substring(0, 10)))
                            .post("/api/v1/instruments")),
            new Endpoint("GET alerts", READERS, 200, s -> s.as().get(base(s) + "/alerts")),
            new Endpoint(
                    "POST acknowledge",
                    READERS,
                    200,
                    s -> s.as().contentType(ContentType.JSON)
                            .body(Map.of("note", "called the patient"))
                            .post(base(s) + "/alerts/" + s.alertId() + "/acknowledge")),
            new Endpoint("GET summary", READERS, 200, s -> s.as().get(base(s) + "/summary")),
            new Endpoint(
                    "GET summary csv",
                    READERS,
                    200,
                    s -> s.as().accept("text/csv").get(base(s) + "/summary")),
            new Endpoint(
                    "GET trends",
                    READERS,
                    200,
                    s -> s.as().queryParam("metric", "waitSeconds").get(base(s) + "/trends")),
            new Endpoint(
                    "GET trends csv",
                    READERS,
                    200,
                    s -> s.as().accept("text/csv")
                            .queryParam("metric", "waitSeconds")
                            .get(base(s) + "/trends")),
            new Endpoint("GET providers", READERS, 200, s -> s.as().get(base(s) + "/providers")),
            new Endpoint(
                    "GET providers csv",
                    READERS,
                    200,
                    s -> s.as().accept("text/csv").get(base(s) + "/providers")),
            new Endpoint(
                    "GET drivers",
                    READERS,
                    200,
                    s -> s.as().queryParam("instrument", "SRS").get(base(s) + "/drivers")),
            new Endpoint(
                    "GET drivers csv",
                    READERS,
                    200,
                    s -> s.as().accept("text/csv")
                            .queryParam("instrument", "SRS")
                            .get(base(s) + "/drivers")),
            new Endpoint(
                    "GET audit",
                    ADMIN,
                    200,
                    s -> s.as().queryParam("clinicId", s.clinic()).get("/api/v1/audit")));

    /** Two answers of 1 to 5, their mean, missing ones left out of it. */
    private static Map<String, Object> instrument(String clinic, String code) {
        return with(
                io.rapport.support.Fixtures.instrument(clinic, code),
                "name",
                "Comfort check",
                "items",
                2,
                "subscales",
                Map.of(),
                "missing",
                Map.of("policy", "MEAN_OF_ANSWERED", "maxMissing", 0, "overLimit", "REJECT"),
                "categories",
                List.of());
    }

    /** Seeds a clinic as the suite (every role), and answers a token for it with the given roles. */
    private Seed seed(String clinic, String... roles) {
        String visitId = "v-seed";
        given().contentType(ContentType.JSON)
                .body(visit(clinic, visitId))
                .post("/api/v1/visits")
                .then()
                .statusCode(201);
        given().contentType(ContentType.JSON)
                .body(srs(clinic, visitId))
                .post("/api/v1/ratings")
                .then()
                .statusCode(201);
        long alertId = db.count("SELECT id FROM alert WHERE clinic_id = ? AND visit_id = ?", clinic, visitId);
        String token = Tokens.token(unique("sub"), List.of(roles), List.of(clinic));
        return new Seed(clinic, visitId, alertId, token);
    }

    @Test
    void everyEndpointAllowsItsRolesAndRefusesTheOthersWith403() {
        SoftAssertions soft = new SoftAssertions();
        for (String role : EVERYONE) {
            Seed seed = seed(unique("c"), role);
            for (Endpoint e : ENDPOINTS) {
                Response r = e.call().apply(seed);
                if (e.allowed().contains(role)) {
                    soft.assertThat(r.statusCode()).as(e.name() + " as " + role).isEqualTo(e.success());
                } else {
                    soft.assertThat(r.statusCode()).as(e.name() + " as " + role).isEqualTo(403);
                    soft.assertThat(r.contentType())
                            .as(e.name() + " as " + role)
                            .startsWith("application/problem+json");
                }
            }
        }
        soft.assertAll();
    }

    @Test
    void anAnalystSeesOnlyTheirOwnClinicOnEveryReadEndpoint() {
        Seed a = seed(unique("ca"), Roles.ANALYST);
        Seed b = seed(unique("cb"), Roles.ANALYST);
        SoftAssertions soft = new SoftAssertions();
        for (Endpoint e : ENDPOINTS) {
            if (!e.allowed().contains(Roles.ANALYST)) {
                continue;
            }
            for (Seed own : List.of(a, b)) {
                Seed other = own == a ? b : a;
                soft.assertThat(e.call().apply(own).statusCode())
                        .as(e.name() + " own")
                        .isEqualTo(e.success());
                if (e.name().startsWith("GET instrument")) {
                    continue; // built-ins, not clinic data
                }
                // The other clinic, asked for with this clinic's token.
                Seed probing = new Seed(other.clinic(), other.visitId(), other.alertId(), own.token());
                Response r = e.call().apply(probing);
                soft.assertThat(r.statusCode()).as(e.name() + " other").isEqualTo(404);
                soft.assertThat(r.contentType()).as(e.name() + " other").startsWith("application/problem+json");
            }
        }
        soft.assertAll();
        // Out of scope reads exactly like a clinic that does not exist.
        String own = a.as().get("/api/v1/clinics/" + b.clinic() + "/visits/" + b.visitId())
                .asString();
        String none = a.as().get("/api/v1/clinics/" + unique("nowhere") + "/visits/v-seed")
                .asString();
        assertThat(own.replaceAll("\"instance\":\"[^\"]*\"", ""))
                .isEqualTo(none.replaceAll("\"instance\":\"[^\"]*\"", ""));
    }

    /**
     * An id no clinic can have, in the address or the query, is the caller's mistake and named as
     * such, whatever the token's scope: the scope check used to answer some endpoints 404 first.
     */
    @Test
    void aClinicIdNoClinicCanHaveIsA400NamingItOnEveryReadEndpoint() {
        String impossible = "c".repeat(129);
        SoftAssertions soft = new SoftAssertions();
        for (List<String> scope : List.of(List.of(unique("own")), List.of("*"))) {
            String token = Tokens.token(unique("sub"), List.of(Roles.ANALYST, Roles.ADMIN), scope);
            Seed probing = new Seed(impossible, "v-seed", 1, token);
            for (Endpoint e : ENDPOINTS) {
                if (e.allowed().equals(INGEST) || e.name().contains("instrument")) {
                    continue; // the clinic is in the body, or not asked for
                }
                Response r = e.call().apply(probing);
                soft.assertThat(r.statusCode()).as(e.name() + " " + scope).isEqualTo(400);
                soft.assertThat(r.contentType()).as(e.name() + " " + scope).startsWith("application/problem+json");
                soft.assertThat(r.jsonPath().getList("violations.field", String.class))
                        .as(e.name() + " " + scope)
                        .containsExactly("clinicId");
            }
            // Named with every other bad parameter at once, as any 400 is.
            Response r = given().filter(Contract.invalidRequest())
                    .auth()
                    .oauth2(token)
                    .queryParam("from", "someday")
                    .queryParam("tz", "+05:00")
                    .get("/api/v1/clinics/" + impossible + "/summary");
            soft.assertThat(r.statusCode())
                    .as("summary with bad parameters " + scope)
                    .isEqualTo(400);
            soft.assertThat(r.jsonPath().getList("violations.field", String.class))
                    .as("summary with bad parameters " + scope)
                    .containsExactlyInAnyOrder("clinicId", "from", "tz");
        }
        soft.assertAll();
    }

    @Test
    void clinicInstrumentsAreVisibleToTheirOwnClinicOnly() {
        Seed a = seed(unique("ca"), Roles.ADMIN);
        Seed b = seed(unique("cb"), Roles.ADMIN);
        a.as().contentType(ContentType.JSON)
                .body(instrument(a.clinic(), "COMFORT"))
                .post("/api/v1/instruments")
                .then()
                .statusCode(201);
        a.as().queryParam("clinicId", a.clinic())
                .get("/api/v1/instruments/COMFORT")
                .then()
                .statusCode(200);
        b.as().queryParam("clinicId", a.clinic())
                .get("/api/v1/instruments/COMFORT")
                .then()
                .statusCode(404);
        b.as().queryParam("clinicId", b.clinic())
                .get("/api/v1/instruments/COMFORT")
                .then()
                .statusCode(404);
        b.as().get("/api/v1/instruments/SRS").then().statusCode(200);
        // Registering for a clinic outside the scope is a write: 403, nothing stored.
        b.as().contentType(ContentType.JSON)
                .body(instrument(a.clinic(), "OTHER"))
                .post("/api/v1/instruments")
                .then()
                .statusCode(403);
        assertThat(db.count("SELECT count(*) FROM instrument WHERE clinic_id = ? AND code = 'OTHER'", a.clinic()))
                .isZero();
    }

    /**
     * A rating posted for another clinic is refused before that clinic's instruments are looked
     * at: whether the instrument is registered there, and what answers it allows, must not change
     * the answer. COMFORT takes 2 answers of 1 to 5; NOSUCH is registered nowhere.
     */
    @Test
    void aRatingForAnotherClinicTellsNothingOfThatClinicsInstruments() {
        Seed theirs = seed(unique("theirs"), Roles.ADMIN);
        theirs.as()
                .contentType(ContentType.JSON)
                .body(instrument(theirs.clinic(), "COMFORT"))
                .post("/api/v1/instruments")
                .then()
                .statusCode(201);
        Seed mine = seed(unique("mine"), Roles.INGEST);
        List<Map<String, Object>> probes = List.of(
                rating(theirs.clinic(), "COMFORT", 1, 2),
                rating(theirs.clinic(), "COMFORT", 1, 9),
                rating(theirs.clinic(), "NOSUCH", 1, 2));

        for (Map<String, Object> probe : probes) {
            mine.as()
                    .contentType(ContentType.JSON)
                    .body(probe)
                    .post("/api/v1/ratings")
                    .then()
                    .statusCode(403)
                    .contentType("application/problem+json")
                    .body("violations", equalTo(null));
            // A body that does not read is answered for its shape alone, the instrument unjudged.
            given().filter(Contract.invalidRequest())
                    .header("Authorization", Tokens.bearer(mine.token()))
                    .contentType(ContentType.JSON)
                    .body(with(probe, "score", 1))
                    .post("/api/v1/ratings")
                    .then()
                    .statusCode(400)
                    .body("violations.field", equalTo(List.of("score")));
        }
        mine.as()
                .contentType(ContentType.JSON)
                .body(probes)
                .post("/api/v1/ratings/batch")
                .then()
                .statusCode(200)
                .body("forbidden", equalTo(3))
                .body("rejected", equalTo(0))
                .body("results.status", equalTo(List.of("forbidden", "forbidden", "forbidden")))
                .body("results.violations", equalTo(java.util.Arrays.asList(null, null, null)));
        assertThat(db.count("SELECT count(*) FROM rating WHERE clinic_id = ? AND instrument <> 'SRS'", theirs.clinic()))
                .isZero();
    }

    /** An event without a clinic, from a token for particular clinics: a 400 naming it, not a 500. */
    @Test
    void anEventWithoutAClinicIsRefusedNamingItWhateverTheScope() {
        Seed mine = seed(unique("mine"), Roles.INGEST);
        Map<String, Object> noClinic =
                with(visit(mine.clinic(), "v-2"), "clinicId", io.rapport.support.Fixtures.REMOVE);
        given().filter(Contract.invalidRequest())
                .header("Authorization", Tokens.bearer(mine.token()))
                .contentType(ContentType.JSON)
                .body(noClinic)
                .post("/api/v1/visits")
                .then()
                .statusCode(400)
                .body("violations.field", equalTo(List.of("clinicId")));
        Map<String, Object> ratingWithoutClinic = rating(mine.clinic(), "SRS", 9, 9, 9, 9);
        ratingWithoutClinic.remove("clinicId");
        given().filter(Contract.invalidRequest())
                .header("Authorization", Tokens.bearer(mine.token()))
                .contentType(ContentType.JSON)
                .body(ratingWithoutClinic)
                .post("/api/v1/ratings")
                .then()
                .statusCode(400)
                .body("violations.field", equalTo(List.of("clinicId")));
        given().filter(Contract.invalidRequest())
                .header("Authorization", Tokens.bearer(mine.token()))
                .contentType(ContentType.JSON)
                .body(List.of(visit(mine.clinic(), "v-3"), noClinic))
                .post("/api/v1/visits/batch")
                .then()
                .statusCode(200)
                .body("results.status", equalTo(List.of("created", "rejected")));
        assertThat(db.count("SELECT count(*) FROM visit WHERE clinic_id = ? AND visit_id = 'v-3'", mine.clinic()))
                .isEqualTo(1);
    }

    private static Map<String, Object> rating(String clinic, String instrument, Integer... items) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("clinicId", clinic);
        m.put("visitId", "v-seed");
        m.put("instrument", instrument);
        m.put("items", List.of(items));
        m.put("submittedAt", "2026-03-02T14:35:00Z");
        return m;
    }

    @Test
    void aPlatformWritingOutsideItsScopeIsRefusedAndNothingIsStored() {
        String mine = unique("mine");
        String theirs = unique("theirs");
        String token = Tokens.bearer(Tokens.token(unique("platform"), List.of(Roles.INGEST), List.of(mine)));

        given().header("Authorization", token)
                .contentType(ContentType.JSON)
                .body(visit(theirs, "v-1"))
                .post("/api/v1/visits")
                .then()
                .statusCode(403)
                .contentType("application/problem+json");
        given().header("Authorization", token)
                .contentType(ContentType.JSON)
                .body(srs(theirs, "v-1"))
                .post("/api/v1/ratings")
                .then()
                .statusCode(403)
                .contentType("application/problem+json");

        given().filter(Contract.invalidRequest())
                .header("Authorization", token)
                .contentType(ContentType.JSON)
                .body(List.of(
                        visit(mine, "v-1"),
                        visit(theirs, "v-2"),
                        with(visit(mine, "v-3"), "modality", "CARRIER_PIGEON")))
                .post("/api/v1/visits/batch")
                .then()
                .statusCode(200)
                .body("created", equalTo(1))
                .body("forbidden", equalTo(1))
                .body("rejected", equalTo(1))
                .body("results[0].status", equalTo("created"))
                .body("results[1].status", equalTo("forbidden"))
                .body("results[2].status", equalTo("rejected"));
        given().header("Authorization", token)
                .contentType(ContentType.JSON)
                .body(List.of(srs(mine, "v-1"), srs(theirs, "v-2")))
                .post("/api/v1/ratings/batch")
                .then()
                .statusCode(200)
                .body("created", equalTo(1))
                .body("forbidden", equalTo(1))
                .body("results[1].status", equalTo("forbidden"));

        assertThat(db.count("SELECT count(*) FROM visit WHERE clinic_id = ?", theirs))
                .isZero();
        assertThat(db.count("SELECT count(*) FROM rating WHERE clinic_id = ?", theirs))
                .isZero();
        assertThat(db.count("SELECT count(*) FROM visit WHERE clinic_id = ?", mine))
                .isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM rating WHERE clinic_id = ?", mine))
                .isEqualTo(1);
    }

    @Test
    void anAcknowledgementRecordsWhoAcknowledged() {
        Seed seed = seed(unique("c"), Roles.ANALYST);
        String subject = unique("manager");
        given().header(
                        "Authorization",
                        Tokens.bearer(Tokens.token(subject, List.of(Roles.ANALYST), List.of(seed.clinic()))))
                .contentType(ContentType.JSON)
                .body("{}")
                .post(base(seed) + "/alerts/" + seed.alertId() + "/acknowledge")
                .then()
                .statusCode(200)
                .body("status", equalTo("ACKNOWLEDGED"))
                .body("acknowledgedBy", equalTo(subject));
        assertThat(db.string(
                        "SELECT acknowledged_by FROM alert WHERE clinic_id = ? AND id = ?",
                        seed.clinic(),
                        seed.alertId()))
                .isEqualTo(subject);
    }
}

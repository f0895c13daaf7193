package io.rapport.visit;

import static io.rapport.support.Fixtures.REMOVE;
import static io.rapport.support.Fixtures.unique;
import static io.rapport.support.Fixtures.visit;
import static io.rapport.support.Fixtures.with;
import static io.rapport.support.Fixtures.withoutOptionalFields;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.rapport.support.Contract;
import io.rapport.support.Db;
import io.rapport.support.Tokens;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

@QuarkusTest
class VisitResourceTest {

    @Inject
    Db db;

    private static Response post(Object body) {
        return given().contentType(ContentType.JSON).body(body).when().post("/api/v1/visits");
    }

    /** For bodies that break the OpenAPI document on purpose: the refusal is still checked against it. */
    private static Response postInvalid(Object body) {
        return given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body(body)
                .when()
                .post("/api/v1/visits");
    }

    private static Map<String, Object> stored(String clinic, String visitId) {
        return given().get("/api/v1/clinics/" + clinic + "/visits/" + visitId)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getMap("$");
    }

    private long rows(String clinic) {
        return db.count("SELECT count(*) FROM visit WHERE clinic_id = ?", clinic);
    }

    @Test
    void createsAVisitAndReadsItBack() {
        String clinic = unique("c");
        Map<String, Object> v = visit(clinic, "v-1");
        post(v).then()
                .statusCode(201)
                .header("Location", endsWith("/api/v1/clinics/" + clinic + "/visits/v-1"))
                .body("clinicId", equalTo(clinic))
                .body("revision", equalTo(1))
                // 30 min visit, 4 min late, 1200 s face to face against 600 s documentation.
                .body("durationSeconds", equalTo(1800))
                .body("waitSeconds", equalTo(240.0))
                .body("faceToFaceShare", closeTo(1200.0 / 1800.0, 1e-9))
                .body("$", not(hasKey("patientId")))
                .body("receivedAt", not(nullValue()));

        given().get("/api/v1/clinics/" + clinic + "/visits/v-1")
                .then()
                .statusCode(200)
                .contentType(ContentType.JSON)
                .body("providerId", equalTo("prov-1"))
                .body("modality", equalTo("VIDEO"))
                .body("startedAt", equalTo(v.get("startedAt")))
                .body("afterHoursDocumentationSeconds", equalTo(120))
                .body("responseLatencySeconds", equalTo(2.5))
                .body("patientTalkShare", equalTo(0.4))
                .body("connectionDrops", equalTo(1))
                .body("$", not(hasKey("patientId")));
    }

    /**
     * A write answers from what it posted, not from a read: that answer must be exactly what a read
     * of the stored row gives, down to instants PostgreSQL cuts to microseconds and doubles that
     * print with 17 digits, for a new visit and for a correction.
     */
    @Test
    void theAnswerToAWriteIsWhatAReadOfItGives() {
        String clinic = unique("c");
        Instant start =
                Instant.parse((String) visit(clinic, "v-1").get("startedAt")).plusNanos(123_456_789);
        Map<String, Object> v = with(
                visit(clinic, "v-1"),
                "scheduledStart",
                start.minusSeconds(61).minusNanos(500).toString(),
                "startedAt",
                start.toString(),
                "endedAt",
                start.plusSeconds(1799).plusNanos(999).toString(),
                "responseLatencySeconds",
                0.1 + 0.2,
                "patientTalkShare",
                1.0 / 3.0,
                "recordedAt",
                start.plusSeconds(1800).toString());
        Map<String, Object> created =
                post(v).then().statusCode(201).extract().jsonPath().getMap("$");
        Map<String, Object> read = stored(clinic, "v-1");
        assertThat(created).isEqualTo(read);
        // Cut, not rounded, to microseconds: .123456789 is stored and shown as .123456.
        assertThat(read.get("startedAt"))
                .isEqualTo(start.truncatedTo(ChronoUnit.MICROS).toString());
        assertThat(read.get("responseLatencySeconds")).isEqualTo(0.30000000000000004);

        Map<String, Object> correction = with(
                v,
                "documentationSeconds",
                777,
                "recordedAt",
                start.plusSeconds(1900).toString());
        Map<String, Object> corrected =
                post(correction).then().statusCode(200).extract().jsonPath().getMap("$");
        Map<String, Object> readAgain = stored(clinic, "v-1");
        assertThat(corrected)
                .isEqualTo(readAgain)
                .containsEntry("revision", 2)
                .containsEntry("documentationSeconds", 777);
        assertThat(corrected.get("receivedAt")).isNotEqualTo(created.get("receivedAt"));
    }

    @Test
    void storesAPseudonymNeverThePatientId() {
        String clinic = unique("c");
        post(visit(clinic, "v-1")).then().statusCode(201);
        post(visit(clinic, "v-2")).then().statusCode(201);
        post(with(visit(clinic, "v-3"), "patientId", "someone-else")).then().statusCode(201);

        String p1 = db.string("SELECT patient_pseudonym FROM visit WHERE clinic_id = ? AND visit_id = 'v-1'", clinic);
        String p2 = db.string("SELECT patient_pseudonym FROM visit WHERE clinic_id = ? AND visit_id = 'v-2'", clinic);
        String p3 = db.string("SELECT patient_pseudonym FROM visit WHERE clinic_id = ? AND visit_id = 'v-3'", clinic);
        assertThat(p1).matches("k2026:[0-9a-f]{64}").isEqualTo(p2).isNotEqualTo(p3);
        assertThat(p1).doesNotContain("patient-secret-42");
        assertThat(db.count(
                        "SELECT count(*) FROM visit WHERE clinic_id = ? AND row(visit.*)::text LIKE '%patient-secret%'",
                        clinic))
                .isZero();
    }

    @Test
    void optionalFieldsMayBeLeftOut() {
        String clinic = unique("c");
        Map<String, Object> v =
                with(withoutOptionalFields(visit(clinic, "v-1")), "faceToFaceSeconds", 0, "documentationSeconds", 0);
        post(v).then()
                .statusCode(201)
                .body("waitSeconds", nullValue())
                .body("faceToFaceShare", nullValue())
                .body("responseLatencySeconds", nullValue());
    }

    @Test
    void waitIsFlooredAtZeroWhenTheVisitStartsEarly() {
        String clinic = unique("c");
        Map<String, Object> v = visit(clinic, "v-1");
        Instant start = Instant.parse((String) v.get("startedAt"));
        post(with(v, "scheduledStart", start.plusSeconds(300).toString()))
                .then()
                .statusCode(201)
                .body("waitSeconds", equalTo(0.0));
    }

    @Test
    void anIdenticalReplayChangesNothing() {
        String clinic = unique("c");
        Map<String, Object> v = visit(clinic, "v-1");
        String received = post(v).then().statusCode(201).extract().path("receivedAt");
        post(v).then().statusCode(200).body("revision", equalTo(1)).body("receivedAt", equalTo(received));
        assertThat(rows(clinic)).isEqualTo(1);
    }

    @Test
    void aNewerCorrectionReplacesTheVisitAndAnOlderOneIsIgnored() {
        String clinic = unique("c");
        Instant t = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(1, ChronoUnit.HOURS);
        Map<String, Object> original = with(visit(clinic, "v-1"), "recordedAt", t.toString());
        post(original).then().statusCode(201).body("revision", equalTo(1));

        Map<String, Object> correction = with(
                original,
                "documentationSeconds",
                900,
                "recordedAt",
                t.plusSeconds(60).toString());
        post(correction)
                .then()
                .statusCode(200)
                .body("revision", equalTo(2))
                .body("documentationSeconds", equalTo(900))
                .body("faceToFaceShare", closeTo(1200.0 / 2100.0, 1e-9));

        // Same recordedAt as the stored one counts as "not older": accepted.
        Map<String, Object> sameTime = with(correction, "connectionDrops", 3);
        post(sameTime).then().statusCode(200).body("revision", equalTo(3)).body("connectionDrops", equalTo(3));

        Map<String, Object> stale = with(
                original,
                "documentationSeconds",
                500,
                "recordedAt",
                t.plusSeconds(30).toString());
        post(stale)
                .then()
                .statusCode(200)
                .body("revision", equalTo(3))
                .body("documentationSeconds", equalTo(900))
                .body("connectionDrops", equalTo(3));
        given().get("/api/v1/clinics/" + clinic + "/visits/v-1").then().body("documentationSeconds", equalTo(900));
    }

    @Test
    void concurrentPostsOfOneVisitStoreOneRow() throws Exception {
        String clinic = unique("c");
        Map<String, Object> v = visit(clinic, "v-1");
        int threads = 16;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> statuses = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            statuses.add(pool.submit(() -> {
                go.await();
                return post(v).statusCode();
            }));
        }
        go.countDown();
        List<Integer> codes = new ArrayList<>();
        for (Future<Integer> f : statuses) {
            codes.add(f.get());
        }
        pool.shutdown();
        assertThat(codes).filteredOn(c -> c == 201).hasSize(1);
        assertThat(codes).filteredOn(c -> c == 200).hasSize(threads - 1);
        assertThat(rows(clinic)).isEqualTo(1);
        given().get("/api/v1/clinics/" + clinic + "/visits/v-1").then().body("revision", equalTo(1));
    }

    @Test
    void aBatchStoresValidItemsAndReportsEachOne() {
        String clinic = unique("c");
        post(visit(clinic, "existing")).then().statusCode(201);
        Instant t = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(1, ChronoUnit.HOURS);
        List<Object> batch = List.of(
                visit(clinic, "b-1"),
                with(visit(clinic, "b-2"), "faceToFaceSeconds", -5),
                visit(clinic, "existing"),
                with(visit(clinic, "existing-2"), "recordedAt", t.toString()),
                with(visit(clinic, "b-3"), "faceToFaceSecs", 10),
                "not an object");
        given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body(batch)
                .post("/api/v1/visits/batch")
                .then()
                .statusCode(200)
                .body("created", equalTo(2))
                .body("updated", equalTo(0))
                .body("unchanged", equalTo(1))
                .body("rejected", equalTo(3))
                .body("results.index", equalTo(List.of(0, 1, 2, 3, 4, 5)))
                .body(
                        "results.status",
                        equalTo(List.of("created", "rejected", "unchanged", "created", "rejected", "rejected")))
                .body("results[1].visitId", equalTo("b-2"))
                .body("results[1].violations[0].field", equalTo("[1].faceToFaceSeconds"))
                .body("results[4].violations[0].field", equalTo("[4].faceToFaceSecs"))
                .body("results[4].violations[0].message", equalTo("is not a known field"))
                .body("results[5].violations[0].field", equalTo("[5]"));
        assertThat(db.count("SELECT count(*) FROM visit WHERE clinic_id = ? AND visit_id IN ('b-2', 'b-3')", clinic))
                .isZero();
        assertThat(rows(clinic)).isEqualTo(3);

        // A correction and a stale one in a batch.
        List<Object> second = List.of(
                with(
                        visit(clinic, "existing-2"),
                        "recordedAt",
                        t.plusSeconds(10).toString(),
                        "connectionDrops",
                        7),
                with(
                        visit(clinic, "existing-2"),
                        "recordedAt",
                        t.minusSeconds(10).toString(),
                        "connectionDrops",
                        9));
        given().contentType(ContentType.JSON)
                .body(second)
                .post("/api/v1/visits/batch")
                .then()
                .statusCode(200)
                .body("updated", equalTo(1))
                .body("unchanged", equalTo(1))
                .body("results.status", equalTo(List.of("updated", "stale")))
                .body("results.revision", equalTo(List.of(2, 2)));
        given().get("/api/v1/clinics/" + clinic + "/visits/existing-2").then().body("connectionDrops", equalTo(7));
    }

    /** Two copies of a new visit in one batch, neither with recordedAt: taken in order, the later corrects the earlier. */
    @Test
    void aLaterCopyInOneBatchCorrectsTheEarlier() {
        String clinic = unique("c");
        given().contentType(ContentType.JSON)
                .body(List.of(
                        with(visit(clinic, "twice"), "recordedAt", REMOVE, "connectionDrops", 3),
                        with(visit(clinic, "twice"), "recordedAt", REMOVE, "connectionDrops", 4)))
                .post("/api/v1/visits/batch")
                .then()
                .statusCode(200)
                .body("created", equalTo(1))
                .body("updated", equalTo(1))
                .body("results.status", equalTo(List.of("created", "updated")))
                .body("results.revision", equalTo(List.of(1, 2)));
        given().get("/api/v1/clinics/" + clinic + "/visits/twice")
                .then()
                .body("revision", equalTo(2))
                .body("connectionDrops", equalTo(4));
    }

    @Test
    void aBatchMustBeAnArray() {
        given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body(visit(unique("c"), "v"))
                .post("/api/v1/visits/batch")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("violations[0].message", containsString("JSON array"));
    }

    @Test
    void aBatchOverTheLimitIs413AndStoresNothing() {
        String clinic = unique("c");
        List<Object> batch = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            batch.add(visit(clinic, "v-" + i));
        }
        given().contentType(ContentType.JSON)
                .body(batch)
                .post("/api/v1/visits/batch")
                .then()
                .statusCode(413)
                .contentType("application/problem+json")
                .body("status", equalTo(413))
                .body("detail", containsString("1000"));
        assertThat(rows(clinic)).isZero();
    }

    @Test
    void aBodyOverOneMebibyteIs413() {
        String clinic = unique("c");
        String padding = "x".repeat(1024 * 1024);
        String body = "[{\"clinicId\":\"" + clinic + "\",\"pad\":\"" + padding + "\"}]";
        given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body(body)
                .post("/api/v1/visits/batch")
                .then()
                .statusCode(413)
                .contentType("application/problem+json")
                .body("title", equalTo("Payload Too Large"));
        assertThat(rows(clinic)).isZero();
    }

    /** -0.0 passes every "at least 0" rule; it is kept, and answered, as 0. */
    @Test
    void minusZeroIsZero() {
        String clinic = unique("c");
        String body = "{\"clinicId\":\"" + clinic + "\",\"visitId\":\"v-1\",\"providerId\":\"p\","
                + "\"patientId\":\"pat\",\"modality\":\"VIDEO\",\"startedAt\":\"2026-03-02T14:04:00Z\","
                + "\"endedAt\":\"2026-03-02T14:29:00Z\",\"faceToFaceSeconds\":0,\"documentationSeconds\":0,"
                + "\"responseLatencySeconds\":-0.0,\"patientTalkShare\":-0e0}";
        given().contentType(ContentType.JSON)
                .body(body)
                .post("/api/v1/visits")
                .then()
                .statusCode(201);
        String stored = given().get("/api/v1/clinics/" + clinic + "/visits/v-1")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertThat(stored)
                .contains("\"responseLatencySeconds\":0.0", "\"patientTalkShare\":0.0")
                .doesNotContain(":-0");
        assertThat(db.count(
                        "SELECT count(*) FROM visit WHERE clinic_id = ? AND response_latency_seconds::text = '0'"
                                + " AND patient_talk_share::text = '0'",
                        clinic))
                .isEqualTo(1);
    }

    @Test
    void anotherContentTypeIs415() {
        given().filter(Contract.invalidRequest())
                .contentType(ContentType.TEXT)
                .body("hello")
                .post("/api/v1/visits")
                .then()
                .statusCode(415)
                .contentType("application/problem+json")
                .body("status", equalTo(415))
                .body("detail", containsString("application/json"));
    }

    /**
     * A compressed body, or one in another charset, was read as it came and answered "not
     * well-formed JSON at line 1, column 2": the 415 names the header to fix, and nothing is stored.
     */
    @Test
    void aCompressedBodyIs415NamingTheHeader() throws Exception {
        String clinic = unique("c");
        String json = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(visit(clinic, "v-1"));
        byte[] zipped = zip(json);
        for (String path : List.of("/api/v1/visits", "/api/v1/visits/batch")) {
            byte[] body = path.endsWith("batch") ? zip("[" + json + "]") : zipped;
            given().filter(Contract.invalidRequest())
                    .contentType(ContentType.JSON)
                    .header("Content-Encoding", "gzip")
                    .body(body)
                    .post(path)
                    .then()
                    .statusCode(415)
                    .contentType("application/problem+json")
                    .body("violations.field", equalTo(List.of("Content-Encoding")));
        }
        // Without a Content-Type too, which the endpoint reads as JSON (java.net.http sends none).
        java.net.http.HttpResponse<String> untyped = java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                                        "http://localhost:" + io.restassured.RestAssured.port + "/api/v1/visits"))
                                .header("Authorization", Tokens.bearer(Tokens.suite("suite-untyped")))
                                .header("Content-Encoding", "gzip")
                                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(zipped))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(untyped.statusCode()).isEqualTo(415);
        assertThat(untyped.body()).contains("\"field\":\"Content-Encoding\"");
        assertThat(rows(clinic)).isZero();
        // Identity is no encoding.
        given().contentType(ContentType.JSON)
                .header("Content-Encoding", "identity")
                .body(json)
                .post("/api/v1/visits")
                .then()
                .statusCode(201);
        assertThat(rows(clinic)).isEqualTo(1);
        // A request without a body is not refused for the header, as SDKs that set it on every
        // request send it.
        given().contentType(ContentType.JSON)
                .header("Content-Encoding", "gzip")
                .get("/api/v1/clinics/" + clinic + "/visits/v-1")
                .then()
                .statusCode(200);
        // Without a token the answer is the 401 every request without one gets, before any 415.
        given().filter(Contract.invalidRequest())
                .header("Authorization", Tokens.NO_TOKEN)
                .contentType(ContentType.JSON)
                .header("Content-Encoding", "gzip")
                .body(zipped)
                .post("/api/v1/visits")
                .then()
                .statusCode(401);
    }

    /**
     * JSON is read as UTF-8, whatever charset is declared (RFC 8259 gives the parameter no
     * meaning): plain ASCII declared Latin-1 is stored, and Latin-1 text is named as not UTF-8
     * rather than as a syntax error.
     */
    @Test
    void aBodyIsReadAsUtf8AndOneThatIsNotIsNamedSo() throws Exception {
        String clinic = unique("c");
        String ascii = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(visit(clinic, "v-1"));
        given().contentType("application/json; charset=ISO-8859-1")
                .body(ascii.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1))
                .post("/api/v1/visits")
                .then()
                .statusCode(201);
        String latin = new com.fasterxml.jackson.databind.ObjectMapper()
                .writeValueAsString(with(visit(clinic, "v-2"), "providerId", "dr-M\u00fcller"));
        given().filter(Contract.invalidRequest())
                .contentType("application/json; charset=ISO-8859-1")
                .body(latin.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1))
                .post("/api/v1/visits")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("violations[0].message", startsWith("is not valid UTF-8 at line 1, column "));
        assertThat(rows(clinic)).isEqualTo(1);
    }

    private static byte[] zip(String text) throws java.io.IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(out)) {
            gz.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    @Test
    void malformedJsonIs400WithoutEchoingTheInput() {
        String clinic = unique("c");
        given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body("{\"clinicId\": \"" + clinic + "\", \"patientId\": \"patient-secret-42\", ")
                .post("/api/v1/visits")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("title", equalTo("Malformed request body"))
                .body(not(containsString("patient-secret-42")))
                .body(not(containsString("Exception")));
        assertThat(rows(clinic)).isZero();
    }

    @Test
    void anUnknownFieldIs400NamingIt() {
        String clinic = unique("c");
        postInvalid(with(visit(clinic, "v-1"), "faceToFaceSecs", 10))
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("violations[0].field", equalTo("faceToFaceSecs"))
                .body("violations[0].message", equalTo("is not a known field"));
        assertThat(rows(clinic)).isZero();
    }

    @Test
    void aWrongTypeIs400NamingTheField() {
        String clinic = unique("c");
        postInvalid(with(visit(clinic, "v-1"), "documentationSeconds", "600"))
                .then()
                .statusCode(400)
                .body("violations[0].field", equalTo("documentationSeconds"))
                .body("violations[0].message", equalTo("must be a whole number"));
        postInvalid(with(visit(clinic, "v-1"), "faceToFaceSeconds", 12.7))
                .then()
                .statusCode(400)
                .body("violations[0].field", equalTo("faceToFaceSeconds"));
        postInvalid(with(visit(clinic, "v-1"), "startedAt", "yesterday"))
                .then()
                .statusCode(400)
                .body("violations[0].field", equalTo("startedAt"));
        assertThat(rows(clinic)).isZero();
    }

    /**
     * A key sent twice is well-formed JSON: it is named, with where its object sits in a batch,
     * not answered as a syntax error.
     */
    @Test
    void aKeySentTwiceIsNamed() throws Exception {
        String clinic = unique("c");
        String one = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(visit(clinic, "v-1"));
        String twice = one.replaceFirst("\\{", "{\"clinicId\":\"" + clinic + "\",");
        given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body(twice)
                .post("/api/v1/visits")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("violations.field", equalTo(List.of("clinicId")))
                .body("violations[0].message", equalTo("is given more than once"));
        given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body("[" + one + "," + twice + "]")
                .post("/api/v1/visits/batch")
                .then()
                .statusCode(400)
                .body("violations.field", equalTo(List.of("[1].clinicId")))
                .body("violations[0].message", equalTo("is given more than once"));
        // A key with digits or punctuation may be data (an object keyed by patient id): not named back.
        String keyed = one.replaceFirst("\\{", "{\"pat-88417\":1,\"pat-88417\":2,");
        Response r = given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body(keyed)
                .post("/api/v1/visits");
        r.then().statusCode(400).contentType("application/problem+json");
        assertThat(r.asString()).doesNotContain("88417");
        // Nor where such a key holds the object with the repeated key: the path to it is data too.
        for (String body : List.of(
                one.replaceFirst("\\{", "{\"pat-88417\":{\"a\":1,\"a\":2},"),
                "[" + one.replaceFirst("\\{", "{\"x\":{\"patient-88417\":{\"a\":1,\"a\":2}},") + "]")) {
            Response nested = given().filter(Contract.invalidRequest())
                    .contentType(ContentType.JSON)
                    .body(body)
                    .post(body.startsWith("[") ? "/api/v1/visits/batch" : "/api/v1/visits");
            nested.then().statusCode(400).contentType("application/problem+json");
            assertThat(nested.asString()).doesNotContain("88417");
            nested.then()
                    .body(
                            "violations.find { it.message == 'is given more than once' }.field",
                            equalTo(body.startsWith("[") ? "[0].x.?.a" : "?.a"));
        }
        assertThat(rows(clinic)).isZero();
    }

    /** An empty or blank string is not a number either, nor a way to send none. */
    @Test
    void anEmptyOrBlankStringForAWholeNumberIs400NamingTheField() {
        String clinic = unique("c");
        for (String field : List.of("faceToFaceSeconds", "connectionDrops", "afterHoursDocumentationSeconds")) {
            for (String text : List.of("", "  ")) {
                postInvalid(with(visit(clinic, "v-1"), field, text))
                        .then()
                        .statusCode(400)
                        .contentType("application/problem+json")
                        .body("violations[0].field", equalTo(field))
                        .body("violations[0].message", equalTo("must be a whole number"));
            }
        }
        assertThat(rows(clinic)).isZero();
        // Nor, in a correction, a way to wipe a stored value.
        String recorded = "2026-03-02T15:00:00Z";
        given().contentType(ContentType.JSON)
                .body(with(visit(clinic, "v-2"), "recordedAt", recorded))
                .post("/api/v1/visits")
                .then()
                .statusCode(201);
        postInvalid(with(visit(clinic, "v-2"), "recordedAt", "2026-03-02T15:01:00Z", "connectionDrops", ""))
                .then()
                .statusCode(400)
                .body("violations[0].field", equalTo("connectionDrops"));
        given().get("/api/v1/clinics/" + clinic + "/visits/v-2")
                .then()
                .statusCode(200)
                .body("revision", equalTo(1))
                .body("connectionDrops", equalTo(1));
    }

    @Test
    void everyBrokenRuleIsNamedAtOnce() {
        String clinic = unique("c");
        Map<String, Object> v = with(
                visit(clinic, "v-1"),
                "providerId",
                REMOVE,
                "modality",
                "FAX",
                "documentationSeconds",
                90000,
                "patientTalkShare",
                1.5,
                "connectionDrops",
                -1);
        postInvalid(v)
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("type", not(nullValue()))
                .body("title", equalTo("Invalid request"))
                .body("status", equalTo(400))
                .body("detail", containsString("5 rules"))
                .body(
                        "violations.field",
                        equalTo(List.of(
                                "connectionDrops",
                                "documentationSeconds",
                                "modality",
                                "patientTalkShare",
                                "providerId")));
        assertThat(rows(clinic)).isZero();
    }

    /**
     * A wrong type does not hide the rules of the fields that read: dates beyond tomorrow and a
     * time over its bound are named beside it, so one answer lists all a platform must fix. They
     * were named only on the next try, once every field read.
     */
    @Test
    void theRulesOfTheFieldsThatReadAreNamedBesideAWrongType() {
        String clinic = unique("c");
        postInvalid(with(
                        visit(clinic, "v-1"),
                        "faceToFaceSeconds",
                        "600",
                        "startedAt",
                        "2099-01-01T00:00:00Z",
                        "endedAt",
                        "2099-01-01T00:20:00Z",
                        "scheduledStart",
                        REMOVE))
                .then()
                .statusCode(400)
                .body("violations.field", equalTo(List.of("endedAt", "faceToFaceSeconds", "startedAt")));
        // A bound of its own, not only the one relating it to a field that is missing.
        postInvalid(with(
                        visit(clinic, "v-1"),
                        "documentationSeconds",
                        REMOVE,
                        "afterHoursDocumentationSeconds",
                        999_999_999))
                .then()
                .statusCode(400)
                .body("violations.field", equalTo(List.of("afterHoursDocumentationSeconds", "documentationSeconds")))
                .body("violations[0].message", equalTo("must be at most 86400"));
        assertThat(rows(clinic)).isZero();
    }

    /** Each rule of the visit contract, alone: the field it names and nothing stored. */
    @Test
    void eachValidationRuleIsEnforced() {
        String clinic = unique("c");
        Map<String, Object> ok = visit(clinic, "v-1");
        Instant start = Instant.parse((String) ok.get("startedAt"));
        Instant farFuture = Instant.now().plus(2, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        Object[][] cases = {
            {"clinicId", with(ok, "clinicId", REMOVE)},
            {"clinicId", with(ok, "clinicId", "")},
            {"clinicId", with(ok, "clinicId", "x".repeat(129))},
            {"visitId", with(ok, "visitId", "has space")},
            {"visitId", with(ok, "visitId", REMOVE)},
            {"providerId", with(ok, "providerId", "a/b")},
            {"patientId", with(ok, "patientId", REMOVE)},
            {"patientId", with(ok, "patientId", "émile")},
            {"modality", with(ok, "modality", REMOVE)},
            {"modality", with(ok, "modality", "video")},
            {"startedAt", with(ok, "startedAt", REMOVE)},
            {"endedAt", with(ok, "endedAt", REMOVE)},
            {"endedAt", with(ok, "endedAt", start.minusSeconds(1).toString())},
            {
                "endedAt",
                with(
                        ok,
                        "endedAt",
                        start.plus(24, ChronoUnit.HOURS).plusSeconds(1).toString(),
                        "faceToFaceSeconds",
                        0)
            },
            // A part of a second over is over too, though the whole seconds come to 86,400.
            {
                "endedAt",
                with(
                        ok,
                        "endedAt",
                        start.plus(24, ChronoUnit.HOURS).plusMillis(900).toString(),
                        "faceToFaceSeconds",
                        0)
            },
            {
                "endedAt",
                with(
                        ok,
                        "startedAt",
                        farFuture.minusSeconds(3600).toString(),
                        "endedAt",
                        farFuture.toString(),
                        "scheduledStart",
                        REMOVE)
            },
            {"faceToFaceSeconds", with(ok, "faceToFaceSeconds", REMOVE)},
            {"faceToFaceSeconds", with(ok, "faceToFaceSeconds", -1)},
            {"faceToFaceSeconds", with(ok, "faceToFaceSeconds", 1801)},
            {"documentationSeconds", with(ok, "documentationSeconds", REMOVE)},
            {"documentationSeconds", with(ok, "documentationSeconds", -1)},
            {"documentationSeconds", with(ok, "documentationSeconds", 86401)},
            {"afterHoursDocumentationSeconds", with(ok, "afterHoursDocumentationSeconds", -1)},
            {"afterHoursDocumentationSeconds", with(ok, "afterHoursDocumentationSeconds", 601)},
            {"responseLatencySeconds", with(ok, "responseLatencySeconds", -0.1)},
            {"responseLatencySeconds", with(ok, "responseLatencySeconds", 604800.5)},
            {"patientTalkShare", with(ok, "patientTalkShare", -0.01)},
            {"patientTalkShare", with(ok, "patientTalkShare", 1.01)},
            {"connectionDrops", with(ok, "connectionDrops", 1001)},
            {"connectionDrops", with(ok, "connectionDrops", -1)},
            // A clock bug must not make every later correction stale, nor reach PostgreSQL as a 500.
            {"recordedAt", with(ok, "recordedAt", "2062-03-02T00:00:00Z")},
            {"scheduledStart", with(ok, "scheduledStart", "+300000-01-01T00:00:00Z")},
            // A wait (or an early start) of more than a day is a different appointment, or a bug.
            {
                "scheduledStart",
                with(
                        ok,
                        "scheduledStart",
                        start.minus(Duration.ofHours(24).plusSeconds(1)).toString())
            },
            {
                "scheduledStart",
                with(
                        ok,
                        "scheduledStart",
                        start.plus(Duration.ofHours(24).plusSeconds(1)).toString())
            },
            {"scheduledStart", with(ok, "scheduledStart", "1970-01-01T00:00:00Z")},
            {
                "startedAt",
                with(
                        ok,
                        "startedAt",
                        "1969-12-31T23:00:00Z",
                        "endedAt",
                        "1969-12-31T23:30:00Z",
                        "scheduledStart",
                        REMOVE)
            },
        };
        for (Object[] c : cases) {
            postInvalid(c[1])
                    .then()
                    .statusCode(400)
                    .contentType("application/problem+json")
                    .body("violations.field", hasItem(c[0]));
        }
        assertThat(rows(clinic)).isZero();

        // The boundaries themselves are allowed.
        post(with(
                        ok,
                        "faceToFaceSeconds",
                        1800,
                        "documentationSeconds",
                        86400,
                        "afterHoursDocumentationSeconds",
                        86400,
                        "responseLatencySeconds",
                        604800,
                        "patientTalkShare",
                        1,
                        "connectionDrops",
                        1000))
                .then()
                .statusCode(201);
        post(with(
                        ok,
                        "visitId",
                        "v-2",
                        "endedAt",
                        start.plus(24, ChronoUnit.HOURS).toString()))
                .then()
                .statusCode(201);
        post(with(
                        ok,
                        "visitId",
                        "v-3",
                        "scheduledStart",
                        start.minus(24, ChronoUnit.HOURS).toString()))
                .then()
                .statusCode(201)
                .body("waitSeconds", equalTo(86400.0));
        post(with(
                        ok,
                        "visitId",
                        "v-4",
                        "scheduledStart",
                        start.plus(24, ChronoUnit.HOURS).toString()))
                .then()
                .statusCode(201)
                .body("waitSeconds", equalTo(0.0));
    }

    @Test
    void anEmptyBodyIs400() {
        given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .post("/api/v1/visits")
                .then()
                .statusCode(400)
                .contentType("application/problem+json");
    }

    @Test
    void anUnknownVisitIs404() {
        given().get("/api/v1/clinics/" + unique("c") + "/visits/nope")
                .then()
                .statusCode(404)
                .contentType("application/problem+json")
                .body("status", equalTo(404))
                .body("instance", containsString("/visits/nope"));
    }

    @Test
    void aWrongMethodIs405() {
        given().filter(Contract.invalidRequest())
                .delete("/api/v1/visits")
                .then()
                .statusCode(405)
                .contentType("application/problem+json")
                .body("status", equalTo(405));
    }
}

package io.rapport.error;

import static io.rapport.support.Fixtures.REMOVE;
import static io.rapport.support.Fixtures.unique;
import static io.rapport.support.Fixtures.visit;
import static io.rapport.support.Fixtures.with;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.junit.QuarkusTest;
import io.rapport.support.Contract;
import io.rapport.support.Db;
import io.rapport.support.Tokens;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every broken rule named at once, and error answers that say the right thing. */
// Every request here breaks the API's rules on purpose, so none is held to the document's request schema.
@QuarkusTest
class ErrorAnswersTest {

    @Inject
    Db db;

    private long visits(String clinic) {
        return db.count("SELECT count(*) FROM visit WHERE clinic_id = ?", clinic);
    }

    @Test
    void aTypeErrorDoesNotHideTheOtherBrokenRules() {
        String clinic = unique("all");
        Map<String, Object> body = with(
                visit(clinic, "v-1"),
                "faceToFaceSeconds",
                "1320",
                "modality",
                "VIDEOX",
                "patientId",
                REMOVE,
                "documentationSeconds",
                REMOVE);
        Response r = given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body(body)
                .post("/api/v1/visits");
        r.then().statusCode(400).contentType("application/problem+json");
        Map<String, String> byField = violations(r);
        assertThat(byField)
                .containsEntry("faceToFaceSeconds", "must be a whole number")
                .containsEntry("modality", "must be one of VIDEO, PHONE, IN_PERSON, MESSAGING")
                .containsKey("patientId")
                .containsKey("documentationSeconds")
                .hasSize(4);
        assertThat(r.jsonPath().getString("detail")).contains("4 rules");
        assertThat(visits(clinic)).isZero();
    }

    /**
     * A number is a JSON number that fits its field. "NaN" and "-Infinity" are strings, refused as
     * "0.5" is (Jackson reads those two as doubles unless told not to); a count of 2^31 is well-formed
     * JSON, out of range for a whole number; a flag is true or false.
     */
    @Test
    void numbersAreJsonNumbersThatFitTheirField() {
        String clinic = unique("num");
        Map<String, Object> visit = with(
                visit(clinic, "v-1"),
                "patientTalkShare",
                "NaN",
                "responseLatencySeconds",
                "-Infinity",
                "connectionDrops",
                2_147_483_648L);
        assertThat(violations(postInvalid("/api/v1/visits", visit)))
                .containsOnly(
                        Map.entry("patientTalkShare", "must be a number"),
                        Map.entry("responseLatencySeconds", "must be a number"),
                        Map.entry("connectionDrops", "is out of range for a whole number"));
        Response batch = given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body(List.of(visit))
                .post("/api/v1/visits/batch");
        batch.then().statusCode(200).body("rejected", equalTo(1));
        assertThat(batch.jsonPath().getList("results[0].violations.message", String.class))
                .containsExactlyInAnyOrder(
                        "must be a number", "must be a number", "is out of range for a whole number");
        assertThat(visits(clinic)).isZero();

        Map<String, Object> rating = Map.of(
                "clinicId", clinic,
                "visitId", "v-1",
                "instrument", "SRS",
                "items", List.of("NaN", 9, 9, 9),
                "submittedAt", "2026-03-02T14:35:00Z");
        assertThat(violations(postInvalid("/api/v1/ratings", rating)))
                .containsOnly(Map.entry("items[0]", "must be a number"));
        assertThat(violations(postInvalid(
                        "/api/v1/instruments", Map.of("clinicId", clinic, "code", "FLAG", "dropAlert", "yes"))))
                .containsEntry("dropAlert", "must be true or false");
        assertThat(violations(
                        postInvalid("/api/v1/instruments", Map.of("clinicId", clinic, "code", "FLAG", "dropAlert", 1))))
                .containsEntry("dropAlert", "must be true or false");
    }

    /**
     * An unknown field is named when its name is a plain word, as a misspelt field is; a name with
     * digits or punctuation may be data (an object keyed by patient id) and is not repeated back.
     * However many rules an item breaks, the answer lists 50 and says how many more there were.
     */
    @Test
    void unknownFieldsAreNamedOnlyWhenPlainWordsAndViolationsAreListedUpToFifty() {
        String clinic = unique("keys");
        Response r = postInvalid("/api/v1/visits", with(visit(clinic, "v-1"), "colour", 1, "pat-88417", 2));
        assertThat(violations(r))
                .containsOnly(
                        Map.entry("colour", "is not a known field"),
                        Map.entry(
                                "",
                                "holds a field that is not known (its name is not repeated back: it is not a plain word)"));
        assertThat(r.asString()).doesNotContain("88417");
        // A map key is the caller's text too: a subscale name off its pattern is not named back.
        Response subscale = postInvalid(
                "/api/v1/instruments",
                Map.of("clinicId", clinic, "code", "SUB", "subscales", Map.of("pat-88417 <b>", List.of())));
        assertThat(violations(subscale)).containsKey("subscales[?]");
        assertThat(subscale.asString()).doesNotContain("88417").doesNotContain("<b>");
        // Inside nested objects too, every unknown field is named, not only the first of each.
        Map<String, Object> nested = new java.util.LinkedHashMap<>();
        nested.put("clinicId", clinic);
        nested.put("code", "NEST");
        nested.put("Foo", 1);
        nested.put("missing", Map.of("policy", "NONE", "maxMissing", 0, "overLimit", "REJECT", "Extra", 1, "Extrb", 1));
        nested.put("categories", List.of(Map.of("name", "a", "min", 0, "max", 1, "Zed", 1, "Yed", 2)));
        assertThat(violations(postInvalid("/api/v1/instruments", nested)))
                .containsEntry("Foo", "is not a known field")
                .containsEntry("missing.Extra", "is not a known field")
                .containsEntry("missing.Extrb", "is not a known field")
                .containsEntry("categories[0].Zed", "is not a known field")
                .containsEntry("categories[0].Yed", "is not a known field");
        String longDigits = "1".repeat(71);
        for (Map<String, Object> keyed : List.of(
                Map.<String, Object>of("a]pat 88417", List.of()),
                Map.<String, Object>of(longDigits, List.of()),
                // A value of the wrong type is named through the reader's path, not the validator's.
                Map.<String, Object>of("pat<88417>", "x"))) {
            Response r2 =
                    postInvalid("/api/v1/instruments", Map.of("clinicId", clinic, "code", "SUB", "subscales", keyed));
            assertThat(r2.asString()).doesNotContain("88417").doesNotContain(longDigits);
            assertThat(violations(r2).keySet()).anyMatch(f -> f.startsWith("subscales") && f.contains("?"));
        }

        // 120 unknown fields named xaa, xab, ... xep: 120 broken rules, 50 listed and a line for 70 more.
        Map<String, Object> many = new java.util.LinkedHashMap<>(visit(clinic, "v-2"));
        for (int i = 0; i < 120; i++) {
            many.put("x" + (char) ('a' + i / 26) + (char) ('a' + i % 26), i);
        }
        Response single = postInvalid("/api/v1/visits", many);
        assertThat(single.jsonPath().getString("detail")).isEqualTo("120 rules were broken: see violations.");
        List<Map<String, String>> listed = single.jsonPath().getList("violations");
        assertThat(listed).hasSize(51);
        assertThat(listed.get(0)).containsEntry("field", "xaa");
        // Fields are listed as a reader counts: items[2] before items[10].
        List<Object> answers = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            answers.add(99);
        }
        Response items = postInvalid(
                "/api/v1/ratings",
                Map.of(
                        "clinicId",
                        clinic,
                        "visitId",
                        "v-1",
                        "instrument",
                        "WAI-SR",
                        "items",
                        answers,
                        "submittedAt",
                        "2026-03-02T14:35:00Z"));
        assertThat(items.jsonPath().getList("violations.field", String.class))
                .containsExactly(
                        "items[0]",
                        "items[1]",
                        "items[2]",
                        "items[3]",
                        "items[4]",
                        "items[5]",
                        "items[6]",
                        "items[7]",
                        "items[8]",
                        "items[9]",
                        "items[10]",
                        "items[11]");
        assertThat(listed.get(50))
                .containsEntry("field", "")
                .containsEntry("message", "and 70 more broken rules, not listed");
        Response batch = given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body(List.of(many))
                .post("/api/v1/visits/batch");
        batch.then().statusCode(200).body("rejected", equalTo(1));
        assertThat(batch.jsonPath().getList("results[0].violations")).hasSize(51);
        assertThat(batch.jsonPath().getString("results[0].violations[50].message"))
                .isEqualTo("and 70 more broken rules, not listed");
        assertThat(visits(clinic)).isZero();
    }

    private static Response postInvalid(String path, Object body) {
        Response r = given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body(body)
                .post(path);
        r.then().statusCode(400).contentType("application/problem+json");
        return r;
    }

    @Test
    void anUnknownFieldAndAMissingOneAreBothNamed() {
        String clinic = unique("all");
        Map<String, Object> body = with(visit(clinic, "v-1"), "colour", "red", "providerId", REMOVE);
        Response r = given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body(body)
                .post("/api/v1/visits");
        r.then().statusCode(400);
        assertThat(violations(r))
                .containsEntry("colour", "is not a known field")
                .containsKey("providerId");
        assertThat(visits(clinic)).isZero();
    }

    /**
     * A body Jackson cannot map (here, for an unknown field) is still held to the rules that relate
     * two fields, once every field reads: a single post names the same broken rules as the same
     * event in a batch.
     */
    @Test
    void anUnknownFieldDoesNotHideACrossFieldRuleInASinglePostOrABatch() {
        String clinic = unique("all");
        Map<String, Object> visit = visit(clinic, "v-1");
        Map<String, Object> bad = with(visit, "colour", "red", "endedAt", visit.get("scheduledStart"));
        Response single = given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body(bad)
                .post("/api/v1/visits");
        single.then().statusCode(400);
        assertThat(violations(single))
                .containsEntry("colour", "is not a known field")
                .containsEntry("endedAt", "must not be before startedAt")
                .hasSize(2);

        Response batch = given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body(List.of(bad))
                .post("/api/v1/visits/batch");
        batch.then().statusCode(200).body("rejected", equalTo(1));
        assertThat(batch.jsonPath().getList("results[0].violations.field", String.class))
                .containsExactlyInAnyOrder("[0].colour", "[0].endedAt");
        assertThat(visits(clinic)).isZero();
    }

    @Test
    void inABatchEveryBrokenRuleOfAnItemIsNamedAndTheValidItemsAreStored() {
        String clinic = unique("all");
        Map<String, Object> bad =
                with(visit(clinic, "v-bad"), "connectionDrops", "two", "modality", "FAX", "clinicId", REMOVE);
        Response r = given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body(List.of(visit(clinic, "v-ok"), bad))
                .post("/api/v1/visits/batch");
        r.then().statusCode(200).body("created", equalTo(1)).body("rejected", equalTo(1));
        List<String> fields = r.jsonPath().getList("results[1].violations.field");
        assertThat(fields).containsExactlyInAnyOrder("[1].clinicId", "[1].connectionDrops", "[1].modality");
        assertThat(visits(clinic)).isEqualTo(1);
    }

    @Test
    void anEmptyInstrumentNamesEveryMissingFieldNotATypeError() {
        Response r = given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body("{}")
                .post("/api/v1/instruments");
        r.then().statusCode(400).contentType("application/problem+json");
        Map<String, String> byField = violations(r);
        assertThat(byField)
                .containsEntry("version", "is required")
                .containsEntry("items", "is required")
                .containsKeys("code", "name", "total", "missing");
        assertThat(byField.values()).doesNotContain("must be a whole number");
    }

    @Test
    void a405SaysWhichMethodsAreAllowed() {
        given().filter(Contract.invalidRequest())
                .delete("/api/v1/visits")
                .then()
                .statusCode(405)
                .contentType("application/problem+json")
                .header("Allow", containsString("POST"));
        // The methods are those of the address as routed: an encoded slash stays inside its
        // segment there, and was looked up decoded, as one segment more, answering no Allow.
        given().filter(Contract.invalidRequest())
                .urlEncodingEnabled(false)
                .delete("/api/v1/clinics/a%2Fb/visits/v-1")
                .then()
                .statusCode(405)
                .contentType("application/problem+json")
                .header("Allow", equalTo("GET, HEAD, OPTIONS"));
        // As routed, too, a dot segment is resolved and an escaped letter decoded.
        for (String path : List.of("/api/v1/clinics/c-1/x/../visits/v-1", "/api/v1/clinics/c-1/%76isits/v-1")) {
            given().filter(Contract.invalidRequest())
                    .urlEncodingEnabled(false)
                    .delete(path)
                    .then()
                    .statusCode(405)
                    .header("Allow", equalTo("GET, HEAD, OPTIONS"));
        }
    }

    /**
     * No endpoint takes a list: a parameter given twice is refused, naming it, where the second
     * value used to be dropped without a word. A name that is not a plain word is not named back.
     */
    @Test
    void aQueryParameterGivenTwiceIsRefused() {
        String alerts = "/api/v1/clinics/" + unique("twice") + "/alerts";
        given().get(alerts + "?status=open&size=5").then().statusCode(200);
        given().filter(Contract.invalidRequest())
                .get(alerts + "?status=open&status=all")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("violations.field", equalTo(List.of("status")))
                .body("violations[0].message", equalTo("is given more than once; give it once"));
        given().filter(Contract.invalidRequest())
                .get(alerts.replace("/alerts", "/summary") + "?from=2026-01-01&from=2026-02-01")
                .then()
                .statusCode(400)
                .body("violations.field", equalTo(List.of("from")));
        // The resources read a name in any case (STATUS=nonsense is a bad status), so a name given
        // twice in two cases is given twice.
        given().filter(Contract.invalidRequest())
                .get(alerts + "?STATUS=nonsense")
                .then()
                .statusCode(400)
                .body("violations[0].field", equalTo("status"));
        given().filter(Contract.invalidRequest())
                .get(alerts + "?status=open&STATUS=all")
                .then()
                .statusCode(400)
                .body("violations[0].message", equalTo("is given more than once; give it once"));
        Response odd = given().filter(Contract.invalidRequest()).get(alerts + "?pat-7731=1&pat-7731=2");
        odd.then().statusCode(400).body("violations.field", equalTo(List.of("")));
        assertThat(odd.asString()).doesNotContain("7731");
    }

    /** Manager answers computed or given again, every outcome counted. */
    private static double answersAsked() {
        return io.rapport.support.Scrape.samples().entrySet().stream()
                .filter(e -> e.getKey().startsWith("rapport_trend_cache_total{"))
                .mapToDouble(Map.Entry::getValue)
                .sum();
    }

    /** OPTIONS lists what the address really allows, and an address under no route is not found. */
    @Test
    void optionsListsTheMethodsTheAddressAllows() {
        Map<String, String> allowed = Map.of(
                "/api/v1/visits", "OPTIONS, POST",
                "/api/v1/visits/batch", "OPTIONS, POST",
                "/api/v1/clinics/c/summary", "GET, HEAD, OPTIONS",
                "/api/v1/clinics/c/alerts/7/acknowledge", "OPTIONS, POST",
                "/api/v1/clinics/c/visits/v", "GET, HEAD, OPTIONS");
        for (Map.Entry<String, String> e : allowed.entrySet()) {
            given().filter(Contract.invalidRequest())
                    .options(e.getKey())
                    .then()
                    .statusCode(204)
                    .header("Allow", equalTo(e.getValue()));
        }
        for (String nowhere : List.of("/api/v1/nothing", "/api/v1/visits/v-1")) {
            given().filter(Contract.invalidRequest())
                    .options(nowhere)
                    .then()
                    .statusCode(404)
                    .contentType("application/problem+json");
        }
    }

    @Test
    void a406NamesWhatTheEndpointProduces() {
        given().filter(Contract.invalidRequest())
                .accept("text/csv")
                .get("/api/v1/clinics/c/visits/v")
                .then()
                .statusCode(406)
                .contentType("application/problem+json")
                .body("detail", containsString("application/json"))
                .body("detail", not(containsString("text/csv")));
    }

    /**
     * An endpoint that answers JSON alone refuses a client that refuses JSON, even through a
     * broader range ("application/json;q=0, &#42;/&#42;"): the most specific range decides. Before
     * the resource runs, so an event sent so is not stored.
     */
    @Test
    void aJsonOnlyEndpointHonoursARefusalOfJson() {
        for (String refused : List.of("application/json;q=0", "application/json;q=0, */*", "application/*;q=0")) {
            given().filter(Contract.invalidRequest())
                    .header("Accept", refused)
                    .get("/api/v1/instruments")
                    .then()
                    .statusCode(406)
                    .contentType("application/problem+json")
                    .body("detail", containsString("application/json"));
        }
        for (String accepted : List.of("application/json;q=0.1", "application/*;q=0.5, */*;q=0", "*/*")) {
            given().header("Accept", accepted).get("/api/v1/instruments").then().statusCode(200);
        }
        // A range that cannot be read beside one that can is no reason to fail: the readable one serves.
        for (String odd : List.of("application/json, foo", "application/json;q=0.5, text")) {
            given().filter(Contract.invalidRequest())
                    .header("Accept", odd)
                    .get("/api/v1/instruments")
                    .then()
                    .statusCode(200);
        }
        String clinic = unique("q0");
        given().filter(Contract.invalidRequest())
                .header("Accept", "application/json;q=0, */*")
                .contentType(ContentType.JSON)
                .body(visit(clinic, "v-1"))
                .post("/api/v1/visits")
                .then()
                .statusCode(406)
                .contentType("application/problem+json");
        assertThat(visits(clinic)).isZero();
    }

    /**
     * Manager answers come as JSON or CSV, whichever the client prefers: {@code text/*} is CSV,
     * the one text type on offer; a type with {@code q=0} is refused, so a client that refuses
     * CSV and accepts nothing else gets a 406; with no Accept header, or equal preference, JSON.
     */
    @Test
    void managerAnswersHonourTheClientsPreferences() {
        String summary = "/api/v1/clinics/" + unique("neg") + "/summary";
        Map<String, String> expected = new java.util.LinkedHashMap<>();
        expected.put("text/*", "text/csv;charset=UTF-8");
        expected.put("text/*, application/json;q=0.5", "text/csv;charset=UTF-8");
        expected.put("application/json;q=0.5, text/csv", "text/csv;charset=UTF-8");
        expected.put("text/csv;q=0, application/json;q=0.1", "application/json;charset=UTF-8");
        expected.put("text/csv;q=0, */*;q=0.1", "application/json;charset=UTF-8");
        expected.put("application/json, text/csv", "application/json;charset=UTF-8");
        expected.put("*/*", "application/json;charset=UTF-8");
        // A refusal holds against a broader range that would cover it.
        expected.put("application/json;q=0, */*", "text/csv;charset=UTF-8");
        expected.put("text/csv;q=0, */*", "application/json;charset=UTF-8");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            String type = given().header("Accept", e.getKey())
                    .get(summary)
                    .then()
                    .statusCode(200)
                    .extract()
                    .contentType();
            assertThat(type.replace(" ", "")).as(e.getKey()).isEqualToIgnoringCase(e.getValue());
        }
        assertThat(given().accept(ContentType.ANY).get(summary).contentType()).startsWith("application/json");
        double asked = answersAsked();
        for (String refused : List.of(
                "text/csv;q=0",
                "text/csv;q=0.0, application/json;q=0",
                "text/csv;q=0, text/*",
                "application/json;q=0, text/csv;q=0, */*")) {
            given().filter(Contract.invalidRequest())
                    .header("Accept", refused)
                    .get(summary + "?from=2026-01-0" + (refused.length() % 9 + 1))
                    .then()
                    .statusCode(406)
                    .contentType("application/problem+json");
        }
        // Refused before the answer was looked for: neither computed nor taken from those kept.
        assertThat(answersAsked()).isEqualTo(asked);
    }

    @Test
    void a413OnASingleEventDoesNotTalkAboutBatches() {
        String body = "{\"pad\":\"" + "x".repeat(1024 * 1024) + "\"}";
        given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body(body)
                .post("/api/v1/visits")
                .then()
                .statusCode(413)
                .contentType("application/problem+json")
                .body("detail", not(containsString("batch")));
    }

    @Test
    void deepNestingIsRefusedWithA400NamingTheLimit() {
        String clinic = unique("deep");
        String deep = "[".repeat(40) + "]".repeat(40);
        String body = "{\"clinicId\":\"" + clinic + "\",\"extra\":" + deep + "}";
        given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body(body)
                .post("/api/v1/visits")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("violations.message", hasItem(containsString("nested too deeply")));
        given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body("[" + body + "]")
                .post("/api/v1/visits/batch")
                .then()
                .statusCode(400)
                .body("violations.message", hasItem(containsString("nested too deeply")));
        assertThat(visits(clinic)).isZero();
    }

    @Test
    void tooManyTokensAreRefusedWithA400NamingTheLimit() {
        // 300,000 numbers in 600 KB: under the body limit, over the 200,000-token limit.
        String body = "[" + "1,".repeat(299_999) + "1]";
        given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body(body)
                .post("/api/v1/visits/batch")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("violations.message", hasItem(containsString("too many JSON tokens")));
    }

    @Test
    void aHugeStringIsRefusedWithA400NamingTheLimit() {
        String clinic = unique("long");
        Map<String, Object> body = with(visit(clinic, "v-1"), "providerId", "p".repeat(20_000));
        given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body(body)
                .post("/api/v1/visits")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("violations.message", hasItem(containsString("string longer than")));
        assertThat(visits(clinic)).isZero();
    }

    @Test
    void aNulCharacterIsRefusedWhereverItComes() {
        String clinic = unique("nul");
        Response r = given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body(with(visit(clinic, "v-1"), "providerId", "a\u0000b"))
                .post("/api/v1/visits");
        r.then().statusCode(400).contentType("application/problem+json");
        assertThat(violations(r)).containsEntry("providerId", "must not contain the NUL character (U+0000)");
        Map<String, Object> rating = Map.of(
                "clinicId", clinic,
                "visitId", "v-1",
                "instrument", "S\u0000RS",
                "items", List.of(9.0, 9.0, 9.0, 9.0),
                "submittedAt", "2026-03-02T14:35:00Z");
        given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body(rating)
                .post("/api/v1/ratings")
                .then()
                .statusCode(400)
                .contentType("application/problem+json");
        given().filter(Contract.invalidRequest())
                .urlEncodingEnabled(false)
                .get("/api/v1/clinics/" + clinic + "%00/visits/v-1")
                .then()
                .statusCode(400)
                .contentType("application/problem+json");
        assertThat(visits(clinic)).isZero();
    }

    @Test
    void tooManyQueryParametersAreRefused() {
        StringBuilder q = new StringBuilder("?tz=UTC");
        for (int i = 0; i < 25; i++) {
            q.append("&p").append(i).append("=1");
        }
        given().filter(Contract.invalidRequest())
                .get("/api/v1/clinics/c/summary" + q)
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("query parameters"));
    }

    @Test
    void aPageOver500IsRefused() {
        given().filter(Contract.invalidRequest())
                .get("/api/v1/clinics/c/alerts?size=501")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("violations.field", hasItem("size"));
    }

    @Test
    void aPagePastTheLastIsRefusedAndTheLastIsServed() {
        for (String listing : List.of("/api/v1/clinics/c/alerts", "/api/v1/audit?clinicId=c")) {
            String sep = listing.contains("?") ? "&" : "?";
            given().filter(Contract.invalidRequest())
                    .get(listing + sep + "page=100001")
                    .then()
                    .statusCode(400)
                    .contentType("application/problem+json")
                    .body("violations.field", hasItem("page"))
                    .body("violations.message", hasItem("must be a whole number from 0 to 100000"));
            given().get(listing + sep + "page=100000").then().statusCode(200).body("items", hasSize(0));
        }
    }

    private static Map<String, String> violations(Response r) {
        List<Map<String, String>> list = r.jsonPath().getList("violations");
        return list.stream()
                .collect(java.util.stream.Collectors.toMap(
                        v -> v.get("field"), v -> v.get("message"), (a, b) -> a + "; " + b));
    }

    /**
     * A parameter the endpoint does not read is refused, naming it and what the endpoint takes:
     * ignored, {@code provider} for {@code providerId} answered for the whole clinic.
     */
    @Test
    void aParameterTheEndpointDoesNotReadIsRefused() {
        String clinic = unique("param");
        given().filter(Contract.invalidRequest())
                .queryParam("provider", "dr-a")
                .get("/api/v1/clinics/" + clinic + "/summary")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("violations.field", equalTo(List.of("provider")))
                .body(
                        "violations[0].message",
                        equalTo("is not a parameter of this endpoint, which takes from, modality, providerId, to, tz"));
        // The trend endpoint's own parameters count as known, and so do the window's.
        given().queryParam("metric", "waitSeconds")
                .queryParam("stat", "p90")
                .queryParam("providerId", "dr-a")
                .get("/api/v1/clinics/" + clinic + "/trends")
                .then()
                .statusCode(200);
        given().filter(Contract.invalidRequest())
                .queryParam("metric", "waitSeconds")
                .queryParam("statistic", "p90")
                .get("/api/v1/clinics/" + clinic + "/trends")
                .then()
                .statusCode(400)
                .body("violations.field", equalTo(List.of("statistic")));
        // An endpoint that reads none says so; case does not matter, as it does not to the endpoints.
        given().filter(Contract.invalidRequest())
                .queryParam("verbose", "true")
                .get("/api/v1/clinics/" + clinic + "/visits/v-1")
                .then()
                .statusCode(400)
                .body("violations[0].message", equalTo("is not a parameter of this endpoint, which takes none"));
        given().filter(Contract.invalidRequest())
                .queryParam("STATUS", "all")
                .get("/api/v1/clinics/" + clinic + "/alerts")
                .then()
                .statusCode(200);
        // A caller without a token learns nothing of the parameters.
        given().filter(Contract.invalidRequest())
                .header("Authorization", Tokens.NO_TOKEN)
                .queryParam("provider", "dr-a")
                .get("/api/v1/clinics/" + clinic + "/summary")
                .then()
                .statusCode(401);
    }
}

package io.rapport.audit;

import static io.rapport.support.Fixtures.srs;
import static io.rapport.support.Fixtures.unique;
import static io.rapport.support.Fixtures.visit;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.test.junit.QuarkusTest;
import io.rapport.security.Roles;
import io.rapport.support.AuditRows;
import io.rapport.support.Contract;
import io.rapport.support.Db;
import io.rapport.support.Scrape;
import io.rapport.support.TestDatabase;
import io.rapport.support.Tokens;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One audit row per request, allowed or refused, with who, what route and what came of it. */
@QuarkusTest
class AuditTrailTest {

    @Inject
    Db db;

    private static String bearer(String subject, List<String> roles, List<String> clinics) {
        return Tokens.bearer(Tokens.token(subject, roles, clinics));
    }

    /** The audit row of one request, found by the request id it answered with. */
    private static Map<String, Object> row(String requestId) {
        return latestRows().stream()
                .filter(i -> requestId.equals(i.get("requestId")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no audit row for request " + requestId));
    }

    /** The newest 500 rows of the whole trail, as an admin for every clinic reads them. */
    private static List<Map<String, Object>> latestRows() {
        return AuditRows.page(bearer("auditor", List.of(Roles.ADMIN), List.of("*")), null)
                .getList("items");
    }

    /**
     * A client that hangs up while its batch waits on the database (a platform's timeout) leaves a
     * row saying it left, 499, with the clinic its body named, and, once the batch commits, a second
     * row under the same request id and status saying what the request did: before, the one row was
     * written as the connection closed, with the status the response had not been given yet (200)
     * and none of the clinics or records the batch went on to write.
     */
    @Test
    void aClientThatLeavesBeforeItsAnswerLeavesARowOfWhatItsRequestDid() throws Exception {
        String clinic = unique("c");
        String subject = unique("leaver");
        byte[] body = new com.fasterxml.jackson.databind.ObjectMapper()
                .writeValueAsBytes(List.of(visit(clinic, "v1"), visit(clinic, "v2"), visit(clinic, "v3")));
        String head = "POST /api/v1/visits/batch HTTP/1.1\r\nHost: localhost\r\nAuthorization: "
                + bearer(subject, List.of(Roles.INGEST), List.of("*"))
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n";
        TestDatabase.freeze();
        try {
            try (Socket client = new Socket("localhost", RestAssured.port)) {
                client.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
                client.getOutputStream().write(body);
                client.getOutputStream().flush();
                // The batch reaches its resource and waits on the frozen database; then the client goes.
                Thread.sleep(1_000);
            }
            Thread.sleep(500);
        } finally {
            TestDatabase.thaw();
        }
        List<Map<String, Object>> rows = List.of();
        for (int tries = 0; tries < 50 && rows.size() < 2; tries++) {
            Thread.sleep(200);
            rows = latestRows().stream()
                    .filter(r -> subject.equals(r.get("subject")))
                    .toList();
        }
        assertThat(rows).hasSize(2);
        // Newest first: the outcome, then the row written as the client left.
        assertThat(rows.get(1))
                .containsEntry("status", 499)
                .containsEntry("route", "/api/v1/visits/batch")
                .containsEntry("clinics", List.of(clinic))
                .containsEntry("records", 0);
        assertThat(rows.get(0))
                .containsEntry("requestId", rows.get(1).get("requestId"))
                .containsEntry("status", 499)
                .containsEntry("route", "/api/v1/visits/batch")
                .containsEntry("clinics", List.of(clinic))
                .containsEntry("records", 3);
        given().get("/api/v1/clinics/" + clinic + "/visits/v3").then().statusCode(200);
    }

    @Test
    void allowedDeniedAndOutOfScopeRequestsEachLeaveARow() {
        String clinic = unique("c");
        String other = unique("other");
        String analyst = unique("analyst");
        given().contentType(ContentType.JSON)
                .body(visit(clinic, "v-1"))
                .post("/api/v1/visits")
                .then()
                .statusCode(201);
        String token = bearer(analyst, List.of(Roles.ANALYST), List.of(clinic));

        Response allowed = given().header("Authorization", token).get("/api/v1/clinics/" + clinic + "/visits/v-1");
        Response wrongRole = given().header("Authorization", token)
                .contentType(ContentType.JSON)
                .body(visit(clinic, "v-2"))
                .post("/api/v1/visits");
        Response outOfScope = given().header("Authorization", token)
                .queryParam("from", "2026-01-01")
                .get("/api/v1/clinics/" + other + "/summary");
        Response noToken =
                given().header("Authorization", Tokens.NO_TOKEN).get("/api/v1/clinics/" + clinic + "/summary");
        assertThat(List.of(allowed.statusCode(), wrongRole.statusCode(), outOfScope.statusCode(), noToken.statusCode()))
                .containsExactly(200, 403, 404, 401);

        Map<String, Object> a = row(allowed.header("X-Request-Id"));
        assertThat(a)
                .containsEntry("subject", analyst)
                .containsEntry("roles", List.of(Roles.ANALYST))
                .containsEntry("clinics", List.of(clinic))
                .containsEntry("method", "GET")
                .containsEntry("route", "/api/v1/clinics/{clinicId}/visits/{visitId}")
                .containsEntry("status", 200)
                .containsEntry("records", 1);

        Map<String, Object> w = row(wrongRole.header("X-Request-Id"));
        assertThat(w)
                .containsEntry("subject", analyst)
                .containsEntry("route", "/api/v1/visits")
                .containsEntry("status", 403)
                .containsEntry("records", 0);

        Map<String, Object> o = row(outOfScope.header("X-Request-Id"));
        // The route template, never the raw URL with its clinic id and query values.
        assertThat(o)
                .containsEntry("subject", analyst)
                .containsEntry("route", "/api/v1/clinics/{clinicId}/summary")
                .containsEntry("status", 404)
                .containsEntry("records", 0)
                // The clinic it was after, so that clinic's admin reads the refusal in its trail.
                .containsEntry("clinics", List.of(other));

        Map<String, Object> n = row(noToken.header("X-Request-Id"));
        assertThat(n)
                .containsEntry("status", 401)
                .containsEntry("subject", null)
                .containsEntry("roles", List.of())
                .containsEntry("clinics", List.of(clinic));

        // A clinic named in the query and refused is named in the row too.
        Response queried = given().header("Authorization", token)
                .queryParam("clinicId", other)
                .get("/api/v1/instruments");
        assertThat(queried.statusCode()).isEqualTo(404);
        assertThat(row(queried.header("X-Request-Id"))).containsEntry("clinics", List.of(other));

        // A clinicId the endpoint does not read names nothing (and is refused): a caller cannot
        // put a clinic it never touched in that clinic's trail.
        Response ignored = given().header("Authorization", token)
                .filter(io.rapport.support.Contract.invalidRequest())
                .queryParam("clinicId", other)
                .get("/api/v1/clinics/" + clinic + "/visits/v-1");
        assertThat(ignored.statusCode()).isEqualTo(400);
        assertThat(row(ignored.header("X-Request-Id"))).containsEntry("clinics", List.of(clinic));

        // The address's clinic as JAX-RS reads it: percent-escapes decoded.
        String escaped = other.replace("-", "%2D");
        Response encoded = given().header("Authorization", token)
                .urlEncodingEnabled(false)
                .get("/api/v1/clinics/" + escaped + "/summary");
        assertThat(encoded.statusCode()).isEqualTo(404);
        assertThat(row(encoded.header("X-Request-Id"))).containsEntry("clinics", List.of(other));
        // An address with a matrix parameter is refused before anything reads it, wherever the ';'
        // stands; its row names the route and the clinic it was after all the same.
        for (String path :
                List.of("/api/v1/clinics/" + escaped + ";v=1/summary", "/api/v1;v=1/clinics/" + other + "/summary")) {
            Response matrix = given().header("Authorization", token)
                    .filter(Contract.invalidRequest())
                    .urlEncodingEnabled(false)
                    .get(path);
            assertThat(matrix.statusCode()).as(path).isEqualTo(400);
            assertThat(row(matrix.header("X-Request-Id")))
                    .as(path)
                    .containsEntry("route", "/api/v1/clinics/{clinicId}/summary")
                    .containsEntry("status", 400)
                    .containsEntry("clinics", List.of(other));
        }

        // Refused before any resource method ran: the template of the address all the same, and
        // for an address under no route, none.
        Response wrongMethod = given().header("Authorization", token)
                .filter(Contract.invalidRequest())
                .delete("/api/v1/clinics/" + clinic + "/summary");
        Response twice = given().header("Authorization", token)
                .filter(Contract.invalidRequest())
                .get("/api/v1/clinics/" + clinic + "/summary?tz=UTC&tz=UTC");
        Response nowhere = given().header("Authorization", token)
                .filter(Contract.invalidRequest())
                .get("/api/v1/clinics/" + clinic + "/nothing");
        assertThat(List.of(wrongMethod.statusCode(), twice.statusCode(), nowhere.statusCode()))
                .containsExactly(405, 400, 404);
        assertThat(row(wrongMethod.header("X-Request-Id")))
                .containsEntry("route", "/api/v1/clinics/{clinicId}/summary")
                .containsEntry("status", 405);
        assertThat(row(twice.header("X-Request-Id")))
                .containsEntry("route", "/api/v1/clinics/{clinicId}/summary")
                .containsEntry("status", 400);
        assertThat(row(nowhere.header("X-Request-Id"))).containsEntry("route", "(no route)");
    }

    /**
     * A NUL in a clinic id cannot be stored as PostgreSQL text. The row keeps a replacement
     * character and the trail goes on: the writer used to retry that batch for ever, and write no
     * row after it.
     */
    @Test
    void aNulInAClinicIdIsStoredReplacedAndTheTrailGoesOn() {
        String clinic = unique("nul");
        String token = bearer(unique("reader"), List.of(Roles.ANALYST), List.of("*"));
        Response nul = given().header("Authorization", token)
                .filter(Contract.invalidRequest())
                .urlEncodingEnabled(false)
                .get("/api/v1/clinics/" + clinic + "%00/visits/v-1");
        Response after = given().header("Authorization", token).get("/api/v1/clinics/" + clinic + "/visits/v-1");
        assertThat(after.statusCode()).isEqualTo(404);

        // No clinic can have that id: the row names none rather than keep the text sent.
        assertThat(row(nul.header("X-Request-Id"))).containsEntry("clinics", List.of());
        assertThat(row(after.header("X-Request-Id"))).containsEntry("clinics", List.of(clinic));
    }

    /**
     * A platform's batch with items for a clinic outside its scope: those items are refused one by
     * one and the rest are stored, so the request answers 200. The clinic it was refused for is
     * named apart in the row, so that clinic's admin reads a refusal, not a 200 that wrote to it.
     */
    @Test
    void aBatchPartlyOutsideItsScopeNamesTheClinicsItWasRefusedForApart() {
        String mine = unique("mine");
        String theirs = unique("theirs");
        String platform = bearer(unique("platform"), List.of(Roles.INGEST), List.of(mine));
        Response visits = given().header("Authorization", platform)
                .contentType(ContentType.JSON)
                .body(List.of(visit(mine, "v-1"), visit(theirs, "v-2"), visit(theirs, "v-3")))
                .post("/api/v1/visits/batch");
        visits.then()
                .statusCode(200)
                .body("created", org.hamcrest.Matchers.equalTo(1))
                .body("forbidden", org.hamcrest.Matchers.equalTo(2));
        Response ratings = given().header("Authorization", platform)
                .contentType(ContentType.JSON)
                .body(List.of(
                        srs(theirs, "v-2", "2026-03-01T10:00:00Z", 8, 8, 8, 8),
                        srs(mine, "v-1", "2026-03-01T10:00:00Z", 8, 8, 8, 8)))
                .post("/api/v1/ratings/batch");
        ratings.then().statusCode(200).body("created", org.hamcrest.Matchers.equalTo(1));
        Response allMine = given().header("Authorization", platform)
                .contentType(ContentType.JSON)
                .body(List.of(visit(mine, "v-4")))
                .post("/api/v1/visits/batch");
        allMine.then().statusCode(200);

        for (Response r : List.of(visits, ratings)) {
            assertThat(row(r.header("X-Request-Id")))
                    .containsEntry("clinics", List.of(mine))
                    .containsEntry("refusedClinics", List.of(theirs))
                    .containsEntry("status", 200)
                    .containsEntry("records", 1);
        }
        assertThat(row(allMine.header("X-Request-Id")))
                .containsEntry("clinics", List.of(mine))
                .containsEntry("refusedClinics", List.of());

        // Each clinic's admin finds the row in its own trail, and only its own clinic in it.
        Map<String, Object> seenByTheirs = scopedRow(theirs, visits.header("X-Request-Id"));
        assertThat(seenByTheirs).containsEntry("clinics", List.of()).containsEntry("refusedClinics", List.of(theirs));
        Map<String, Object> seenByMine = scopedRow(mine, visits.header("X-Request-Id"));
        assertThat(seenByMine).containsEntry("clinics", List.of(mine)).containsEntry("refusedClinics", List.of());
        // The other clinic's trail does not hold the batch that named only this one.
        assertThat(scopedRequestIds(theirs)).doesNotContain(allMine.header("X-Request-Id"));
    }

    /**
     * A write refused as a whole before its resource could say which clinics it was for still names
     * them, so their admins read the attempt: a batch over the item limit (1,000 by default), and a
     * single visit whose body does not read, sent by a platform for a clinic outside its scope. The
     * batch's row names the clinics of its first 1,000 items only.
     * Both rows named no clinic: a batch named its clinics only once it had committed, and a body
     * that did not read never reached its resource.
     */
    @Test
    void aWriteRefusedAsAWholeNamesTheClinicsItsBodyWasFor() {
        String mine = unique("mine");
        String theirs = unique("theirs");
        String platform = bearer(unique("platform"), List.of(Roles.INGEST), List.of(mine));
        // The 1,001st item's clinic is past what a batch may hold: the row names as many items'
        // clinics as a batch may hold, not one for each item a body can carry.
        String beyond = unique("beyond");
        List<Map<String, Object>> tooMany = new java.util.ArrayList<>();
        for (int i = 0; i < 1_001; i++) {
            tooMany.add(visit(i == 0 ? theirs : i == 1_000 ? beyond : mine, "v-" + i));
        }
        Response batch = given().header("Authorization", platform)
                .filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body(tooMany)
                .post("/api/v1/visits/batch");
        batch.then().statusCode(413).contentType("application/problem+json");

        Map<String, Object> typo = new java.util.LinkedHashMap<>(visit(theirs, "v-typo"));
        typo.put("faceToFaceSeconds", "600");
        Response single = given().header("Authorization", platform)
                .filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body(typo)
                .post("/api/v1/visits");
        single.then().statusCode(400).contentType("application/problem+json");

        assertThat(row(batch.header("X-Request-Id")))
                .containsEntry("status", 413)
                .containsEntry("clinics", List.of(mine))
                .containsEntry("refusedClinics", List.of(theirs))
                .containsEntry("records", 0);
        assertThat(row(single.header("X-Request-Id")))
                .containsEntry("status", 400)
                .containsEntry("clinics", List.of(theirs))
                .containsEntry("records", 0);
        assertThat(scopedRequestIds(theirs)).contains(batch.header("X-Request-Id"), single.header("X-Request-Id"));
        assertThat(db.count("SELECT count(*) FROM visit WHERE clinic_id IN (?, ?)", mine, theirs))
                .isZero();
    }

    /**
     * A page of the trail and its {@code total} describe the same moment: with every row on the one
     * page, the total is the number of items. They were two statements, and rows written between
     * them were on the page but not in the total. Another client's requests on the clinic add rows
     * all the while, and so does each read.
     */
    @Test
    void aPagesTotalCountsTheRowsOnItWhileRowsAreWritten() throws Exception {
        String clinic = unique("c");
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.CompletableFuture<Integer> asking =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    int asked = 0;
                    while (!stop.get() && asked < 250) {
                        given().get("/api/v1/clinics/" + clinic + "/visits/none")
                                .then()
                                .statusCode(404);
                        asked++;
                    }
                    return asked;
                });
        String admin = bearer(unique("admin"), List.of(Roles.ADMIN), List.of(clinic));
        List<String> mismatches = new java.util.ArrayList<>();
        int reads = 0;
        try {
            while (!asking.isDone() && reads < 200) {
                io.restassured.path.json.JsonPath page = AuditRows.page(admin, clinic);
                int items = page.getList("items").size();
                long total = page.getLong("total");
                if (items < 500 && total != items) {
                    mismatches.add("total " + total + " with " + items + " items");
                }
                reads++;
            }
        } finally {
            stop.set(true);
        }
        assertThat(asking.get(30, java.util.concurrent.TimeUnit.SECONDS)).isPositive();
        assertThat(reads).as("reads").isGreaterThan(5);
        assertThat(mismatches).as("of %d reads", reads).isEmpty();
    }

    private static List<Map<String, Object>> scopedItems(String clinic) {
        return AuditRows.page(bearer(unique("admin"), List.of(Roles.ADMIN), List.of(clinic)), clinic)
                .getList("items");
    }

    private static List<Object> scopedRequestIds(String clinic) {
        return scopedItems(clinic).stream().map(i -> i.get("requestId")).toList();
    }

    private static Map<String, Object> scopedRow(String clinic, String requestId) {
        return scopedItems(clinic).stream()
                .filter(i -> requestId.equals(i.get("requestId")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no audit row for request " + requestId + " in " + clinic));
    }

    /**
     * A client may send any method name, a patient id included, and the trail cannot be deleted:
     * one that is not HTTP's is recorded as OTHER, and the trail goes on. A token's subject longer
     * than its column (and than OpenID Connect allows) no longer reaches the trail: the token is
     * refused, and the 401 is recorded without a subject.
     */
    @Test
    void aMethodHttpDoesNotDefineIsRecordedAsOtherAndAnOverlongSubjectIsRefused() throws Exception {
        String token = bearer("s".repeat(300), List.of(Roles.ANALYST), List.of("*"));
        String fine = bearer(unique("fine"), List.of(Roles.ANALYST), List.of("*"));
        // Past RestAssured: its contract filter knows only the methods OpenAPI does.
        HttpResponse<Void> odd = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(
                                        URI.create("http://localhost:" + RestAssured.port + "/api/v1/instruments"))
                                .header("Authorization", fine)
                                .method("PATIENT7731", HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
        Response refused = given().header("Authorization", token).get("/api/v1/instruments");
        assertThat(refused.statusCode()).isEqualTo(401);

        assertThat(row(odd.headers().firstValue("X-Request-Id").orElseThrow())).containsEntry("method", "OTHER");
        Map<String, Object> refusedRow = row(refused.header("X-Request-Id"));
        assertThat(refusedRow).containsEntry("method", "GET").containsEntry("status", 401);
        assertThat(refusedRow.get("subject")).isNull();
    }

    /**
     * A row the database refuses for what it holds, for a reason nobody foresaw (here a check
     * added for the test), is left out, counted and logged; the rows around it are written and
     * the trail goes on. It used to retry that batch for ever.
     */
    @Test
    void aRowTheDatabaseRefusesIsLeftOutCountedAndTheTrailGoesOn() {
        String poison = unique("poison");
        String fine = unique("fine");
        double before = Scrape.samples().getOrDefault("rapport_audit_rows_unstorable_total", 0.0);
        db.execute("ALTER TABLE audit_event ADD CONSTRAINT audit_test_poison CHECK (subject <> '" + poison
                + "') NOT VALID");
        try {
            Response refused = given().header("Authorization", bearer(poison, List.of(Roles.ANALYST), List.of("*")))
                    .get("/api/v1/instruments");
            Response written = given().header("Authorization", bearer(fine, List.of(Roles.ANALYST), List.of("*")))
                    .get("/api/v1/instruments");
            assertThat(row(written.header("X-Request-Id"))).containsEntry("subject", fine);
            assertThatThrownBy(() -> row(refused.header("X-Request-Id"))).hasMessageContaining("no audit row");
            assertThat(Scrape.samples().get("rapport_audit_rows_unstorable_total"))
                    .isEqualTo(before + 1);
        } finally {
            db.execute("ALTER TABLE audit_event DROP CONSTRAINT audit_test_poison");
        }
        Response after = given().header("Authorization", bearer(poison, List.of(Roles.ANALYST), List.of("*")))
                .get("/api/v1/instruments");
        assertThat(row(after.header("X-Request-Id"))).containsEntry("subject", poison);
    }

    @Test
    void aWriteBatchRecordsItsClinicsAndHowManyRowsItWrote() {
        String clinic = unique("c");
        String platform = unique("platform");
        Response batch = given().header("Authorization", bearer(platform, List.of(Roles.INGEST), List.of(clinic)))
                .contentType(ContentType.JSON)
                .body(List.of(visit(clinic, "v-1"), visit(clinic, "v-2"), visit(clinic, "v-1")))
                .post("/api/v1/visits/batch");
        batch.then().statusCode(200);

        Map<String, Object> r = row(batch.header("X-Request-Id"));
        assertThat(r)
                .containsEntry("subject", platform)
                .containsEntry("clinics", List.of(clinic))
                .containsEntry("method", "POST")
                .containsEntry("route", "/api/v1/visits/batch")
                .containsEntry("status", 200)
                .containsEntry("records", 2);

        // A clinic's admin reads that clinic's rows; an admin of another clinic cannot.
        given().header("Authorization", bearer("clinic-admin", List.of(Roles.ADMIN), List.of(clinic)))
                .queryParam("clinicId", clinic)
                .get("/api/v1/audit")
                .then()
                .statusCode(200)
                .body("items.requestId", org.hamcrest.Matchers.hasItem(batch.header("X-Request-Id")));
        given().header("Authorization", bearer("elsewhere-admin", List.of(Roles.ADMIN), List.of(unique("x"))))
                .queryParam("clinicId", clinic)
                .get("/api/v1/audit")
                .then()
                .statusCode(404);
        given().header("Authorization", bearer("elsewhere-admin", List.of(Roles.ADMIN), List.of(unique("x"))))
                .get("/api/v1/audit")
                .then()
                .statusCode(400);
    }

    /**
     * An instrument call counts what it wrote or returned, as ingest does: a definition stored or
     * read is one record, one refused or already stored as sent is none. A registration refused for
     * another clinic names the clinic its body was for, so that clinic's admin sees the attempt.
     */
    @Test
    void anInstrumentCallRecordsWhatItWroteOrReturnedAndTheClinicItNamed() {
        String clinic = unique("c");
        String other = unique("other");
        String code = unique("CHECK").toUpperCase(java.util.Locale.ROOT);
        String admin = bearer(unique("admin"), List.of(Roles.ADMIN), List.of(clinic));
        Map<String, Object> definition = io.rapport.support.Fixtures.instrument(clinic, code);

        Response created = given().header("Authorization", admin)
                .contentType(ContentType.JSON)
                .body(definition)
                .post("/api/v1/instruments");
        Response again = given().header("Authorization", admin)
                .contentType(ContentType.JSON)
                .body(definition)
                .post("/api/v1/instruments");
        Response conflicting = given().header("Authorization", admin)
                .filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body(io.rapport.support.Fixtures.with(definition, "name", "Another name"))
                .post("/api/v1/instruments");
        Response invalid = given().header("Authorization", admin)
                .filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body(io.rapport.support.Fixtures.with(definition, "version", 2, "items", 0))
                .post("/api/v1/instruments");
        Response read = given().header("Authorization", admin)
                .queryParam("clinicId", clinic)
                .get("/api/v1/instruments/" + code);
        Response elsewhere = given().header("Authorization", admin)
                .contentType(ContentType.JSON)
                .body(io.rapport.support.Fixtures.instrument(other, code))
                .post("/api/v1/instruments");
        assertThat(List.of(
                        created.statusCode(),
                        again.statusCode(),
                        conflicting.statusCode(),
                        invalid.statusCode(),
                        read.statusCode(),
                        elsewhere.statusCode()))
                .containsExactly(201, 200, 409, 400, 200, 403);

        assertThat(row(created.header("X-Request-Id")))
                .containsEntry("clinics", List.of(clinic))
                .containsEntry("records", 1);
        assertThat(row(again.header("X-Request-Id"))).containsEntry("records", 0);
        assertThat(row(conflicting.header("X-Request-Id"))).containsEntry("records", 0);
        assertThat(row(invalid.header("X-Request-Id"))).containsEntry("records", 0);
        assertThat(row(read.header("X-Request-Id")))
                .containsEntry("clinics", List.of(clinic))
                .containsEntry("records", 1);
        assertThat(row(elsewhere.header("X-Request-Id")))
                .containsEntry("clinics", List.of(other))
                .containsEntry("records", 0);
    }

    /**
     * One batch for two clinics is one row naming both. An admin of one of them reads that row with
     * their own clinic alone: the other's id is not theirs to learn.
     */
    @Test
    void aScopedAdminSeesOnlyTheirOwnClinicsInARow() {
        String mine = unique("mine");
        String theirs = unique("theirs");
        Response batch = given().header(
                        "Authorization", bearer(unique("platform"), List.of(Roles.INGEST), List.of("*")))
                .contentType(ContentType.JSON)
                .body(List.of(visit(mine, "v-1"), visit(theirs, "v-1")))
                .post("/api/v1/visits/batch");
        batch.then().statusCode(200);
        String id = batch.header("X-Request-Id");
        assertThat(row(id).get("clinics"))
                .isEqualTo(java.util.stream.Stream.of(mine, theirs).sorted().toList());

        List<Map<String, Object>> items = scopedItems(mine);
        assertThat(scopedRow(mine, id)).containsEntry("clinics", List.of(mine)).containsEntry("records", 2);
        assertThat(items.toString()).doesNotContain(theirs);
    }

    /**
     * A window the trail cannot hold is the caller's mistake, named: PostgreSQL keeps instants up to
     * the year 294276 only, and a later one used to come back from it as a 500.
     */
    @Test
    void aWindowBeyondTheStorableYearsIsA400NamingTheParameter() {
        String admin = bearer("auditor", List.of(Roles.ADMIN), List.of("*"));
        for (Map<String, String> query : List.of(
                Map.of("to", "+300000-01-01T00:00:00Z"),
                Map.of("from", "+300000-01-01T00:00:00Z", "to", "+300001-01-01T00:00:00Z"),
                Map.of("from", "-5000-01-01T00:00:00Z"),
                Map.of("from", "0999-12-31"))) {
            given().header("Authorization", admin)
                    .filter(Contract.invalidRequest())
                    .queryParams(query)
                    .get("/api/v1/audit")
                    .then()
                    .statusCode(400)
                    .contentType("application/problem+json")
                    .body(
                            "violations.field",
                            org.hamcrest.Matchers.containsInAnyOrder(
                                    query.keySet().toArray()));
        }
        // The years the trail can hold are read as before.
        given().header("Authorization", admin)
                .queryParam("from", "1970-01-01")
                .queryParam("to", "9999-12-31T23:59:59Z")
                .queryParam("size", 1)
                .get("/api/v1/audit")
                .then()
                .statusCode(200);
    }

    /**
     * One answer names every bad parameter, a blank date among them: read as absent, a blank one
     * quietly became the default window, and only the first bad parameter was named.
     */
    @Test
    void everyBadParameterIsNamedAtOnceABlankDateAmongThem() {
        String admin = bearer("auditor", List.of(Roles.ADMIN), List.of("*"));
        given().header("Authorization", admin)
                .filter(Contract.invalidRequest())
                .queryParam("from", " ")
                .queryParam("page", "-1")
                .queryParam("size", "0")
                .get("/api/v1/audit")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("violations.field", org.hamcrest.Matchers.containsInAnyOrder("from", "page", "size"));
    }

    @Test
    void theTrailIsAppendOnlyInTheDatabaseItself() {
        given().get("/api/v1/instruments").then().statusCode(200);
        given().queryParam("size", 1).get("/api/v1/audit").then().statusCode(200);
        assertThat(db.count("SELECT count(*) FROM audit_event")).isPositive();
        assertThatThrownBy(() -> db.execute("UPDATE audit_event SET status = 200"))
                .hasStackTraceContaining("append-only");
        assertThatThrownBy(() -> db.execute("DELETE FROM audit_event")).hasStackTraceContaining("append-only");
        assertThatThrownBy(() -> db.execute("TRUNCATE audit_event")).hasStackTraceContaining("append-only");
        given().filter(Contract.invalidRequest()).delete("/api/v1/audit").then().statusCode(405);
    }
}

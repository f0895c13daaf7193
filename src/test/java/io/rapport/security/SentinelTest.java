package io.rapport.security;

import static io.rapport.support.Fixtures.unique;
import static io.rapport.support.Fixtures.visit;
import static io.rapport.support.Fixtures.with;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.rapport.support.Contract;
import io.rapport.support.Db;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * A sentinel patient id goes through everything a platform can send: a visit, its retry, a
 * correction, rules it breaks, a malformed batch item, a rating. Neither it nor its pseudonym
 * may then be found in any log line, metric, answer or audit row.
 */
@QuarkusTest
class SentinelTest {

    private static final String SENTINEL = "sentinel-PATIENT-7731";
    private static final String K2026 = "rapport-test-key-2026-not-secret-0000000000";

    @Inject
    Db db;

    /** Every log record the service writes while the test runs, formatted with its parameters. */
    private static final class Capture extends Handler {
        final List<String> lines = new ArrayList<>();

        @Override
        public synchronized void publish(LogRecord record) {
            String message = record.getMessage();
            if (record.getParameters() != null) {
                for (Object p : record.getParameters()) {
                    message += " " + p;
                }
            }
            lines.add(message + (record.getThrown() == null ? "" : " " + stack(record.getThrown())));
        }

        private static String stack(Throwable t) {
            var out = new java.io.StringWriter();
            t.printStackTrace(new java.io.PrintWriter(out));
            return out.toString();
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }

    private static String pseudonymHex() throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(K2026.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(SENTINEL.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void theSentinelNeverLeavesTheService() throws Exception {
        String clinic = unique("c");
        Capture capture = new Capture();
        Logger root = Logger.getLogger("");
        root.addHandler(capture);
        List<String> answers = new ArrayList<>();
        try {
            // Proves the capture sees the service's log output before trusting an empty result.
            org.jboss.logging.Logger.getLogger(Pseudonymizer.class).info("sentinel test capture check");
            Map<String, Object> v = with(visit(clinic, "v-1"), "patientId", SENTINEL);
            answers.add(post("/api/v1/visits", v, 201));
            answers.add(post("/api/v1/visits", v, 200));
            answers.add(post(
                    "/api/v1/visits",
                    with(
                            v,
                            "faceToFaceSeconds",
                            1000,
                            "recordedAt",
                            Instant.now().toString()),
                    200));
            // Rules broken with the sentinel in the event, and in a field of its own.
            answers.add(post("/api/v1/visits", with(v, "endedAt", "2020-01-01T00:00:00Z"), 400));
            answers.add(post("/api/v1/visits", with(v, "bogus", SENTINEL), 400));
            answers.add(post("/api/v1/visits", with(v, SENTINEL, 1), 400));
            answers.add(post("/api/v1/visits/batch", List.of(with(v, SENTINEL, 1)), 200));
            answers.add(post("/api/v1/visits", with(v, "startedAt", SENTINEL), 400));
            answers.add(post("/api/v1/visits/batch", List.of(with(v, "patientId", List.of(SENTINEL))), 200));
            // The patient's name and id sent as a visit id: no id can hold it, so the rejected
            // item is not labelled with it.
            String misplaced = "Jane Doe " + SENTINEL;
            answers.add(post("/api/v1/visits/batch", List.of(with(v, "visitId", misplaced)), 200));
            answers.add(post(
                    "/api/v1/ratings/batch",
                    List.of(Map.of("clinicId", clinic, "visitId", misplaced, "instrument", "SRS")),
                    200));
            answers.add(post(
                    "/api/v1/ratings",
                    Map.of(
                            "clinicId",
                            clinic,
                            "visitId",
                            "v-1",
                            "instrument",
                            "SRS",
                            "items",
                            List.of(5.0, 5.0, 5.0, 5.0),
                            "submittedAt",
                            Instant.now().minusSeconds(60).toString()),
                    201));
            answers.add(given().get("/api/v1/clinics/" + clinic + "/visits/v-1").asString());
            answers.add(given().get("/api/v1/clinics/" + clinic + "/summary").asString());
            answers.add(given().accept("text/csv")
                    .get("/api/v1/clinics/" + clinic + "/providers")
                    .asString());
            answers.add(given().get("/api/v1/clinics/" + clinic + "/alerts").asString());
            answers.add(
                    given().queryParam("clinicId", clinic).get("/api/v1/audit").asString());
            answers.add(given().port(managementPort()).get("/q/metrics").asString());
        } finally {
            root.removeHandler(capture);
        }

        String hex = pseudonymHex();
        assertThat(db.count(
                        "SELECT count(*) FROM visit WHERE clinic_id = ? AND patient_pseudonym = ?",
                        clinic,
                        "k2026:" + hex))
                .as("the visit was stored under its pseudonym")
                .isEqualTo(1);
        assertThat(capture.lines).as("log lines captured").anyMatch(l -> l.contains("sentinel test capture check"));
        for (String text : answers) {
            assertThat(text).doesNotContain(SENTINEL).doesNotContain(hex);
        }
        for (String line : capture.lines) {
            assertThat(line).doesNotContain(SENTINEL).doesNotContain(hex);
        }
        assertThat(db.count(
                        "SELECT count(*) FROM audit_event WHERE row(audit_event.*)::text LIKE ?", "%" + SENTINEL + "%"))
                .isZero();
    }

    /**
     * A request no resource method takes (a method the address does not allow, an OPTIONS, an
     * address that does not exist) is still timed, and an id in its path must not become a
     * metric label: anyone, without a token, could otherwise add series at will and put any
     * text, a patient id included, on the metrics page.
     */
    @Test
    void aPathNoResourceTakesNeverBecomesAMetricLabel() throws Exception {
        String clinic = unique("c");
        String[] paths = {
            "/api/v1/clinics/" + clinic + "/visits/" + SENTINEL,
            "/api/v1/clinics/" + clinic + "/visits/v-1/ratings/" + SENTINEL,
            "/api/v1/clinics/" + clinic + "/alerts/" + SENTINEL + "/acknowledge",
            "/api/v1/visits/" + SENTINEL,
            "/api/v1/" + SENTINEL,
        };
        for (String path : paths) {
            for (String method : List.of("DELETE", "PUT", "PATCH", "OPTIONS", "GET", "POST")) {
                given().filter(Contract.invalidRequest()).request(method, path);
                given().filter(Contract.invalidRequest())
                        .header("Authorization", io.rapport.support.Tokens.NO_TOKEN)
                        .request(method, path);
                given().filter(Contract.invalidRequest())
                        .header("Authorization", "Bearer not-a-token")
                        .request(method, path);
            }
        }
        // A method is any token to HTTP: one no resource knows is labelled OTHER.
        // (The contract filter knows only HTTP's methods, so this one goes by the JDK's client.)
        java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:"
                                        + ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class)
                                        + paths[0]))
                                .method("PATIENT7731", java.net.http.HttpRequest.BodyPublishers.noBody())
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.discarding());
        // Refused for its size before the body is read.
        given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body("{\"pad\":\"" + "x".repeat(1024 * 1024) + "\"}")
                .post(paths[2])
                .then()
                .statusCode(413);
        String metrics = given().port(managementPort()).get("/q/metrics").asString();
        assertThat(metrics)
                .contains("status=\"405\",uri=\"/api/v1/clinics/{clinicId}/visits/{visitId}\"")
                .contains("status=\"413\",uri=\"/api/v1/clinics/{clinicId}/alerts/{id}/acknowledge\"")
                .contains("method=\"OPTIONS\",outcome=\"SUCCESS\",status=\"204\","
                        + "uri=\"/api/v1/clinics/{clinicId}/visits/{visitId}\"")
                .contains("method=\"OPTIONS\",outcome=\"CLIENT_ERROR\",status=\"404\",uri=\"NOT_FOUND\"")
                .contains("method=\"OTHER\"")
                .doesNotContain(SENTINEL)
                .doesNotContain("PATIENT7731");
        assertThat(metrics).doesNotContain(clinic);
        // Nor an audit row, which nobody can delete: the trail's read waits for the rows queued.
        given().queryParam("clinicId", clinic).get("/api/v1/audit").then().statusCode(200);
        assertThat(db.count("SELECT count(*) FROM audit_event WHERE row(audit_event.*)::text LIKE ?", "%PATIENT7731%"))
                .isZero();
        assertThat(db.count(
                        "SELECT count(*) FROM audit_event WHERE method = 'OTHER' AND route = ? AND ? = ANY(clinics)",
                        "/api/v1/clinics/{clinicId}/visits/{visitId}",
                        clinic))
                .as("the request with that method is in the trail")
                .isEqualTo(1);
    }

    private static String post(String path, Object body, int status) {
        // Some of these break the document's rules on purpose: the service's answer is what is checked.
        Response r = given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body(body)
                .post(path);
        r.then().statusCode(status);
        return r.asString();
    }

    private static int managementPort() {
        return ConfigProvider.getConfig()
                .getOptionalValue("quarkus.management.test-port", Integer.class)
                .orElse(9001);
    }
}

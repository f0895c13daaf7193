package io.rapport.error;

import static io.rapport.support.Fixtures.unique;
import static io.rapport.support.Fixtures.visit;
import static io.rapport.support.Http.managementPort;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.rapport.support.Contract;
import io.rapport.support.LogCapture;
import io.rapport.support.Tokens;
import io.restassured.RestAssured;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A request the HTTP layer refuses before any route runs is still answered with a problem+json
 * naming what is wrong, and is no error of the service's: it was a plain JSON error id and an
 * ERROR line each. Sent over a raw socket, since HTTP clients always send a Host header.
 */
@QuarkusTest
class MalformedRequestTest {

    @Test
    void anHttp11RequestWithoutAHostIsA400ProblemAndNoLoggedError() throws Exception {
        try (LogCapture errors = LogCapture.errors()) {
            for (String target : new String[] {"/api/v1/clinics/c-1/summary", "/", "http://other.example/q/openapi"}) {
                String answer = exchange("GET " + target + " HTTP/1.1\r\nConnection: close\r\n\r\n");
                assertThat(answer)
                        .as(target)
                        .startsWith("HTTP/1.1 400 ")
                        .containsIgnoringCase("content-type: application/problem+json")
                        .contains("\"status\":400")
                        .contains("\"title\":\"Bad Request\"")
                        .contains("must carry a Host header");
            }
            // HTTP/1.0 needs no Host: that one goes on to the token check.
            assertThat(exchange("GET /api/v1/clinics/c-1/summary HTTP/1.0\r\n\r\n"))
                    .startsWith("HTTP/1.0 401 ");
            assertThat(errors.messages()).isEmpty();
        }
    }

    /**
     * A request target that is no path is refused before any route, with a problem that says
     * what is wrong with it rather than "The request is malformed." for all of them.
     */
    @Test
    void aTargetThatIsNoPathIsAProblemSayingSo() throws Exception {
        assertThat(exchange("GET ?a=1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 400 ")
                .containsIgnoringCase("content-type: application/problem+json")
                .contains("must be a path starting with /");
        assertThat(exchange("OPTIONS * HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 404 ")
                .containsIgnoringCase("content-type: application/problem+json")
                .contains("No resource at this address.");
    }

    /**
     * What Quarkus's HTTP layer refuses before any route runs (a {@code %} that starts no escape, in
     * the path or the query; a request line or headers over the limits) gets its empty 400, 414 or
     * 431, as the README says; but a 400 is timed all the same, and was labelled by its raw path, ids
     * and all: anyone, without a token, could put any text, a patient id included, on the metrics
     * page, and add series at will.
     */
    @Test
    void anAddressRefusedBeforeAnyRouteIsLabelledByItsTemplateNotItsPath() throws Exception {
        String clinic = unique("c");
        Map<String, Integer> refused = new LinkedHashMap<>();
        refused.put("/api/v1/clinics/" + clinic + "/visits/PATIENT5150?x=%zz", 400);
        refused.put("/api/v1/clinics/" + clinic + "/visits/PATIENT5151?from=2026-01-01&x=%", 400);
        refused.put("/api/v1/clinics/" + clinic + "/visits/PATIENT5152%zz", 400);
        refused.put("/api/v1/clinics/" + clinic + "/PATIENT5153%zz", 400);
        refused.put("/PATIENT5154?x=%zz", 400);
        refused.put("/q/PATIENT5155%zz", 400);
        refused.put("/api/v1/clinics/" + clinic + "/visits/PATIENT5156?pad=" + "x".repeat(5000), 414);
        for (Map.Entry<String, Integer> r : refused.entrySet()) {
            String answer = exchange("GET " + r.getKey() + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            // The codec answers a request line over its limit as HTTP/1.0.
            assertThat(answer)
                    .as(r.getKey().substring(0, Math.min(r.getKey().length(), 90)))
                    .matches("(?s)HTTP/1\\.[01] " + r.getValue() + " .*");
        }
        String metrics = given().port(managementPort()).get("/q/metrics").asString();
        assertThat(metrics)
                .contains("status=\"400\",uri=\"/api/v1/clinics/{clinicId}/visits/{visitId}\"")
                .contains("status=\"400\",uri=\"/UNKNOWN\"")
                .doesNotContain("PATIENT515")
                .doesNotContain(clinic);
    }

    /**
     * A request line over 4 KiB or headers over 20 KiB get a problem+json 414 or 431 of Rapport's,
     * where the codec answered an empty one; only what is beyond the codec's own, higher limits
     * still gets that. Counted in characters as sent: "GET " + target + " HTTP/1.1".
     */
    @Test
    void aLongRequestLineOrLargeHeadersAreAProblemNamingTheLimit() throws Exception {
        String clinic = unique("c");
        String base = "/api/v1/clinics/" + clinic + "/visits/PATIENT5157?pad=";
        int padAtLimit = 4096 - "GET ".length() - base.length() - " HTTP/1.1".length();
        // At the limit the request goes on, to the token check (no token is sent).
        assertThat(exchange(request(base + "x".repeat(padAtLimit), ""))).startsWith("HTTP/1.1 401 ");
        for (int pad : new int[] {padAtLimit + 1, 7_000}) {
            String answer = exchange(request(base + "x".repeat(pad), ""));
            assertThat(answer)
                    .as("pad " + pad)
                    .startsWith("HTTP/1.1 414 ")
                    .containsIgnoringCase("content-type: application/problem+json")
                    .containsIgnoringCase("connection: close")
                    .contains("\"status\":414")
                    .contains("longer than 4096 characters")
                    .doesNotContain("PATIENT5157");
        }
        // Beyond the codec's 8,192, its own empty answer, as HTTP/1.0.
        assertThat(exchange(request(base + "x".repeat(9_000), ""))).matches("(?s)HTTP/1\\.[01] 414 [^{]*");

        String path = "/api/v1/clinics/" + clinic + "/summary";
        // 20,480 bytes of headers, Host's and Connection's included, each counted as name, ": " and value.
        int atLimit = 20 * 1024
                - ("Host".length() + 2 + "localhost".length())
                - ("Connection".length() + 2 + "close".length())
                - ("X-Pad".length() + 2);
        assertThat(exchange(request(path, "X-Pad: " + "y".repeat(atLimit) + "\r\n")))
                .startsWith("HTTP/1.1 401 ");
        String large = exchange(request(path, "X-Pad: " + "y".repeat(atLimit + 1) + "\r\n"));
        assertThat(large)
                .startsWith("HTTP/1.1 431 ")
                .containsIgnoringCase("content-type: application/problem+json")
                .contains("\"status\":431")
                .contains("larger than 20480 bytes")
                .contains("\"instance\":\"" + path + "\"");
        assertThat(exchange(request(path, "X-Pad: " + "y".repeat(45_000) + "\r\n")))
                .matches("(?s)HTTP/1\\.[01] 431 [^{]*");
    }

    /**
     * An address with a matrix parameter ({@code ;}) is refused before anything reads it. The
     * HTTP layer's handlers on {@code /api/*} (the audit trail, the missing-token answer) took the
     * path as sent and so passed over {@code /api;x=1/v1/visits}, while the JAX-RS runtime dropped
     * the {@code ;x=1} and stored the visit: a write with no row in the audit trail.
     */
    @Test
    void anAddressWithAMatrixParameterIsRefusedBeforeAnythingReadsIt() throws Exception {
        String clinic = unique("matrix");
        String authorization = "Authorization: " + Tokens.bearer(Tokens.suite("matrix")) + "\r\n";
        String body = new ObjectMapper().writeValueAsString(visit(clinic, "v-1"));
        for (String target : new String[] {"/api;x=1/v1/visits", "/api/v1;x/visits", "/api/v1/visits;"}) {
            String answer = exchange("POST " + target + " HTTP/1.1\r\nHost: localhost\r\n" + authorization
                    + "Content-Type: application/json\r\nContent-Length: " + body.length()
                    + "\r\nConnection: close\r\n\r\n" + body);
            assertThat(answer)
                    .as(target)
                    .startsWith("HTTP/1.1 400 ")
                    .containsIgnoringCase("content-type: application/problem+json")
                    .contains("\"field\":\"path\"")
                    .contains(MatrixParameterFilter.RULE);
        }
        given().get("/api/v1/clinics/" + clinic + "/visits/v-1").then().statusCode(404);

        // Without a token, whatever the method: the address is judged first, and its text is
        // nowhere on the metrics page.
        assertThat(exchange("OPTIONS /api;PATIENT-4711/v1/visits HTTP/1.1\r\nHost: localhost\r\n"
                        + "Connection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 400 ")
                .contains(MatrixParameterFilter.RULE)
                .doesNotContain("PATIENT-4711");
        assertThat(given().port(managementPort()).get("/q/metrics").asString()).doesNotContain("PATIENT-4711");

        // A ';' sent escaped is part of the id, no matrix parameter: it gets the id's own rule.
        given().filter(Contract.invalidRequest())
                .urlEncodingEnabled(false)
                .get("/api/v1/clinics/" + clinic + "/visits/v%3B1")
                .then()
                .body(not(containsString("matrix parameter")));
    }

    private static String request(String target, String headers) {
        return "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n" + headers + "Connection: close\r\n\r\n";
    }

    private static String exchange(String request) throws Exception {
        try (Socket s = new Socket("localhost", RestAssured.port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}

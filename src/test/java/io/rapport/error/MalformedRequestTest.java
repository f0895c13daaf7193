package io.rapport.error;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.rapport.support.LogCapture;
import io.restassured.RestAssured;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
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

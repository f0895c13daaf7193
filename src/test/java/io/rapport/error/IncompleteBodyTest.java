package io.rapport.error;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.rapport.support.LogCapture;
import io.rapport.support.Scrape;
import io.rapport.support.Tokens;
import io.restassured.RestAssured;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A body that stops before its Content-Length, because the client went away or stalled, is the
 * client's failure, not the service's: it was a 500, an ERROR with a stack trace, and a count
 * towards the 5xx alert, which any flaky network could page ops with. Sent over a raw socket,
 * since an HTTP client will not send a body shorter than it says.
 */
@QuarkusTest
class IncompleteBodyTest {

    private static final String BATCH = "/api/v1/visits/batch";

    private static String head(int contentLength) {
        return "POST " + BATCH + " HTTP/1.1\r\n"
                + "Host: localhost\r\n"
                + "Authorization: " + Tokens.bearer(Tokens.suite("incomplete-body")) + "\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: " + contentLength + "\r\n\r\n";
    }

    /** Requests to the batch endpoint answered so far, by status. */
    private static Map<String, Double> batchAnswers() {
        Map<String, Double> byStatus = new java.util.TreeMap<>();
        Scrape.samples().forEach((series, value) -> {
            if (series.startsWith("http_server_requests_seconds_count{") && series.contains("uri=\"" + BATCH + "\"")) {
                String status = series.replaceAll(".*status=\"([^\"]*)\".*", "$1");
                byStatus.merge(status, value, Double::sum);
            }
        });
        return byStatus;
    }

    /** Runs the exchange, then checks that it was counted, not as a 500, and logged no ERROR. */
    private static void noServerError(Exchange exchange) throws Exception {
        try (LogCapture errors = LogCapture.errors()) {
            Map<String, Double> before = batchAnswers();
            exchange.run();
            Map<String, Double> after = before;
            for (int i = 0; i < 50 && after.equals(before); i++) {
                Thread.sleep(100);
                after = batchAnswers();
            }
            assertThat(after).as("the request was counted").isNotEqualTo(before);
            assertThat(after.getOrDefault("500", 0.0)).isEqualTo(before.getOrDefault("500", 0.0));
            assertThat(errors.messages()).isEmpty();
        }
    }

    private interface Exchange {
        void run() throws Exception;
    }

    @Test
    void aClientThatGoesAwayMidBodyIsNoServerError() throws Exception {
        noServerError(() -> {
            try (Socket s = new Socket("localhost", RestAssured.port)) {
                OutputStream out = s.getOutputStream();
                out.write((head(500) + "[{\"clinicId\": \"c-1\", \"visitId\"").getBytes(StandardCharsets.UTF_8));
                out.flush();
                Thread.sleep(300);
            }
        });
    }

    /**
     * A body that stops coming is given up after the read timeout (3 s in tests, 60 s by default).
     * The HTTP server closes such a connection without an answer, so the client sees it closed; the
     * service counts it as a 408, or as a 400 when the close reaches the request first.
     */
    @Test
    void aBodyThatStallsIsGivenUpWithoutAServerError() throws Exception {
        noServerError(() -> {
            try (Socket s = new Socket("localhost", RestAssured.port)) {
                s.setSoTimeout(30_000);
                OutputStream out = s.getOutputStream();
                out.write((head(500) + "[{\"clinicId\": \"c-1\"").getBytes(StandardCharsets.UTF_8));
                out.flush();
                InputStream in = s.getInputStream();
                String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                assertThat(answer)
                        .satisfiesAnyOf(
                                a -> assertThat(a).isEmpty(), a -> assertThat(a).startsWith("HTTP/1.1 408"));
            }
        });
    }
}

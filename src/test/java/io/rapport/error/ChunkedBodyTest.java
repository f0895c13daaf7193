package io.rapport.error;

import static io.rapport.support.Fixtures.unique;
import static io.rapport.support.Fixtures.visit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.rapport.support.Db;
import io.rapport.support.Tokens;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A body sent in chunks declares no length, so it cannot be refused before it is read; it is
 * refused while it is read, with the same problem as a declared one. RestAssured always declares
 * a length, so these requests go through the JDK client, whose body of unknown length is chunked.
 */
@QuarkusTest
class ChunkedBodyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @Inject
    Db db;

    @Test
    void aChunkedBatchOverOneMebibyteIsAProblem413AndStoresNothing() throws Exception {
        String clinic = unique("chunk");
        // 1,000 valid visits padded with whitespace: every item is acceptable, only the whole is too large.
        byte[] body = padded(clinic, 1000, 700);
        assertThat(body.length).isGreaterThan(1024 * 1024);

        JsonNode problem = refused(postChunked("/api/v1/visits/batch", body));

        assertThat(problem.path("status").asInt()).isEqualTo(413);
        assertThat(problem.path("title").asText()).isEqualTo("Payload Too Large");
        assertThat(problem.path("detail").asText()).contains("1048576 bytes").contains("split the batch");
        assertThat(problem.path("instance").asText()).isEqualTo("/api/v1/visits/batch");
        assertThat(db.count("SELECT count(*) FROM visit WHERE clinic_id = ?", clinic))
                .isZero();
    }

    @Test
    void aChunkedSingleEventOverOneMebibyteIsAProblem413NotAboutBatches() throws Exception {
        String clinic = unique("chunk");
        String v = JSON.writeValueAsString(visit(clinic, "v-1"));
        byte[] body = (v.substring(0, v.length() - 1) + " ".repeat(1024 * 1024) + "}").getBytes(StandardCharsets.UTF_8);

        JsonNode problem = refused(postChunked("/api/v1/visits", body));

        assertThat(problem.path("detail").asText()).isEqualTo("The request body is larger than 1048576 bytes.");
        assertThat(db.count("SELECT count(*) FROM visit WHERE clinic_id = ?", clinic))
                .isZero();
    }

    @Test
    void aChunkedBodyWithinTheLimitIsReadWhole() throws Exception {
        String clinic = unique("chunk");
        // About 800 KB: many network reads, far past the in-memory buffer of a small body.
        byte[] body = padded(clinic, 450, 1400);
        assertThat(body.length).isBetween(512 * 1024, 1024 * 1024);

        HttpResponse<String> answer = postChunked("/api/v1/visits/batch", body);

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(JSON.readTree(answer.body()).path("created").asInt()).isEqualTo(450);
        assertThat(db.count("SELECT count(*) FROM visit WHERE clinic_id = ?", clinic))
                .isEqualTo(450);
    }

    /** The 413 problem, whose connection is closed as the rest of the body was never read. */
    private static JsonNode refused(HttpResponse<String> answer) throws Exception {
        assertThat(answer.statusCode()).isEqualTo(413);
        assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(answer.headers().firstValue("Connection")).hasValue("close");
        return JSON.readTree(answer.body());
    }

    /** A batch of {@code n} valid visits, each followed by {@code spaces} of whitespace. */
    private static byte[] padded(String clinic, int n, int spaces) throws Exception {
        StringBuilder sb = new StringBuilder("[");
        for (int k = 0; k < n; k++) {
            sb.append(k == 0 ? "" : ",")
                    .append(JSON.writeValueAsString(visit(clinic, "v-" + k)))
                    .append(" ".repeat(spaces));
        }
        return sb.append(']').toString().getBytes(StandardCharsets.UTF_8);
    }

    private static HttpResponse<String> postChunked(String path, byte[] body) throws Exception {
        // A body of unknown length, which the client sends with Transfer-Encoding: chunked.
        HttpRequest.BodyPublisher chunked =
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body));
        assertThat(chunked.contentLength()).isNegative();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + path))
                .header("Content-Type", "application/json")
                .header("Authorization", Tokens.bearer(Tokens.suite("chunked-body")))
                .timeout(Duration.ofSeconds(30))
                .POST(chunked)
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}

package io.rapport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rapport.support.Fixtures;
import io.rapport.support.ServerLog;
import io.rapport.support.Tokens;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to the packaged jar with a batch in flight: readiness turns DOWN first, a request that
 * arrives once the delay is over gets 503, the batch completes 2xx, the embedded PostgreSQL stops
 * cleanly, and after a restart on the same data directory every acknowledged visit is there. The
 * embedded server's own messages are kept in its log throughout, and no refused address's path
 * reaches the metrics.
 */
class ShutdownIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final int BATCH = 500;

    @TempDir
    Path dir;

    private static final String TOKEN = Tokens.bearer(Tokens.suite("shutdown-it"));
    private static final String TEST_PUBLIC_KEY =
            Path.of("src/test/resources/test-jwt/public.pem").toAbsolutePath().toString();

    private final String key = Base64.getEncoder().encodeToString(new SecureRandom().generateSeed(48));
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    @Test
    void aBatchInFlightAtSigtermCompletesAndSurvivesARestart() throws Exception {
        int http = freePort();
        int management = freePort();
        Path data = dir.resolve("pg");
        Process app = start(http, management, data, dir.resolve("first.log"));
        awaitReady(management, app, dir.resolve("first.log"));

        String clinic = Fixtures.unique("shutdown");
        List<Map<String, Object>> visits = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            visits.add(Fixtures.visit(clinic, "v-" + i));
        }
        byte[] body = JSON.writeValueAsBytes(visits);

        try (Socket socket = new Socket("localhost", http)) {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            // Headers and half the body: the request is in flight when SIGTERM arrives.
            out.write(("POST /api/v1/visits/batch HTTP/1.1\r\nHost: localhost\r\n"
                            + "Authorization: " + TOKEN + "\r\n"
                            + "Content-Type: application/json\r\nContent-Length: " + body.length
                            + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body, 0, body.length / 2);
            out.flush();

            app.destroy(); // SIGTERM

            boolean readyWentDown = awaitStatus(management, "/q/health/ready", 503, Duration.ofSeconds(10));
            assertThat(readyWentDown).as("readiness DOWN after SIGTERM").isTrue();
            boolean newRequestsRefused = awaitStatus(http, "/api/v1/instruments", 503, Duration.ofSeconds(20));
            assertThat(newRequestsRefused)
                    .as("a new request after the shutdown delay gets 503")
                    .isTrue();
            // Refused before any route, an address outside the API came with its raw path as the
            // metrics' uri label: whatever a caller typed, without a token, on the metrics page.
            HttpResponse<Void> outside = HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://localhost:" + http + "/patient-8841"))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            assertThat(outside.statusCode()).isEqualTo(503);
            HttpResponse<String> metrics = HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://localhost:" + management + "/q/metrics"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body())
                    .contains("http_server_requests_seconds_count{")
                    .contains("status=\"503\"")
                    .doesNotContain("patient-8841");
            assertThat(app.isAlive())
                    .as("still waiting for the batch in flight")
                    .isTrue();

            out.write(body, body.length / 2, body.length - body.length / 2);
            out.flush();
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(response).startsWith("HTTP/1.1 200");
            assertThat(response).contains("\"created\":" + BATCH);
        }

        assertThat(app.waitFor(60, TimeUnit.SECONDS)).as("exited").isTrue();
        String log = Files.readString(dir.resolve("first.log"));
        assertThat(log).contains("Embedded PostgreSQL stopped");
        // The server's own last words, written long after the pg_ctl that started it exited, are
        // in its log, which the service's names.
        assertThat(log).contains("its own log is in " + data.resolve("log"));
        assertThat(ServerLog.read(data.resolve("log"))).contains("database system is shut down");
        assertThat(data.resolve("postmaster.pid"))
                .as("PostgreSQL stopped cleanly")
                .doesNotExist();

        Process again = start(http, management, data, dir.resolve("second.log"));
        awaitReady(management, again, dir.resolve("second.log"));
        assertThat(Files.readString(dir.resolve("second.log"))).doesNotContain("left running", "stale");
        HttpResponse<String> summary = HTTP.send(
                HttpRequest.newBuilder(
                                URI.create("http://localhost:" + http + "/api/v1/clinics/" + clinic + "/summary"))
                        .header("Authorization", TOKEN)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(summary.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(summary.body()).get("visits").asLong()).isEqualTo(BATCH);
        // The batch's audit row too: the trail drains its last rows before the database stops.
        HttpResponse<String> audit = HTTP.send(
                HttpRequest.newBuilder(
                                URI.create("http://localhost:" + http + "/api/v1/audit?size=500&clinicId=" + clinic))
                        .header("Authorization", TOKEN)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(audit.statusCode()).isEqualTo(200);
        List<String> routes = new ArrayList<>();
        JSON.readTree(audit.body())
                .get("items")
                .forEach(i -> routes.add(i.get("method").asText() + " "
                        + i.get("route").asText() + " " + i.get("status").asInt() + " "
                        + i.get("records").asLong()));
        assertThat(routes).contains("POST /api/v1/visits/batch 200 " + BATCH);

        // An error of the embedded server's, on the data directory it was restarted on, is logged.
        Matcher port = Pattern.compile("Embedded PostgreSQL started on port (\\d+)")
                .matcher(Files.readString(dir.resolve("second.log")));
        assertThat(port.find()).isTrue();
        try (Connection c = DriverManager.getConnection(
                        "jdbc:postgresql://localhost:" + port.group(1) + "/postgres", "postgres", "postgres");
                Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.execute("SELECT shutdown_it_column")).isInstanceOf(SQLException.class);
        }
        again.destroy();
        assertThat(again.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(ServerLog.read(data.resolve("log"))).contains("column \"shutdown_it_column\" does not exist");
    }

    private Process start(int http, int management, Path data, Path log) throws IOException {
        String jar = System.getProperty("rapport.jar", "target/quarkus-app/quarkus-run.jar");
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Dquarkus.http.port=" + http,
                        "-Dquarkus.management.port=" + management,
                        "-Drapport.embedded-db.data-dir=" + data,
                        "-Dquarkus.shutdown.delay=3s",
                        "-jar",
                        jar)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("RAPPORT_PSEUDONYM_KEY", key);
        // Tokens signed with the test key pair, verified by the jar as any issuer's would be.
        pb.environment().put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", TEST_PUBLIC_KEY);
        pb.environment().put("MP_JWT_VERIFY_ISSUER", Tokens.ISSUER);
        Process p = pb.start();
        started.add(p);
        return p;
    }

    private static void awaitReady(int management, Process app, Path log) throws Exception {
        if (!awaitStatus(management, "/q/health/ready", 200, Duration.ofSeconds(120)) || !app.isAlive()) {
            throw new AssertionError("Rapport did not become ready:\n" + Files.readString(log));
        }
    }

    private static boolean awaitStatus(int port, String path, int status, Duration within) throws Exception {
        Instant deadline = Instant.now().plus(within);
        while (Instant.now().isBefore(deadline)) {
            try {
                HttpResponse<Void> r = HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                                .timeout(Duration.ofSeconds(5))
                                .header("Authorization", TOKEN)
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == status) {
                    return true;
                }
            } catch (IOException e) {
                // Not listening yet, or any more.
            }
            Thread.sleep(100);
        }
        return false;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

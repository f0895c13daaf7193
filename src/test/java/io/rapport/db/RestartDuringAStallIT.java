package io.rapport.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.rapport.support.PackagedApp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rapport stopped while its embedded PostgreSQL was frozen (a stalled disk) leaves that server
 * running, as it says; the next start must clear it. It killed the postmaster alone: its frozen
 * backends kept the shared memory a new server needs, so every start failed until the stall
 * ended ("pre-existing shared memory block is still in use").
 */
class RestartDuringAStallIT {

    @TempDir
    Path workDir;

    private Path data;

    /** Kept: once its postmaster is gone, a frozen backend names neither it nor the directory. */
    private final List<ProcessHandle> frozen = new ArrayList<>();

    @AfterEach
    void killWhatIsLeft() {
        frozen.forEach(ProcessHandle::destroyForcibly);
        if (data != null) {
            postgresOf(data).forEach(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void aStartClearsAFrozenServerThatAnEarlierRunLeftBehind() throws Exception {
        data = workDir.resolve("data");
        var settings = PackagedApp.prodSettings(
                "RAPPORT_EMBEDDED_DB_DATA_DIR", data.toString(), "QUARKUS_SHUTDOWN_DELAY", "0s");
        String first;
        try (PackagedApp app = PackagedApp.start(workDir.resolve("first"), settings, List.of())) {
            assertThat(app.awaitManagement200("/q/health/ready", Duration.ofSeconds(90)))
                    .as(app.output())
                    .isTrue();
            List<ProcessHandle> server = postgresOf(data);
            assertThat(server).as("the embedded server's processes").isNotEmpty();
            frozen.addAll(server);
            signal("-STOP", server);
            // An API request's audit row, which the writer cannot get into the frozen database.
            HttpResponse<String> refused = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(
                                            URI.create("http://localhost:" + app.httpPort() + "/api/v1/instruments"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(401);
            app.terminate();
            OptionalInt exit = app.awaitExit(Duration.ofSeconds(120));
            first = app.output();
            assertThat(exit).as("the first run exited; output:%n%s", first).isPresent();
        }
        assertThat(first).contains("the next start stops it");
        // The row cannot reach the frozen server: the writer sits in its INSERT (the socket timeout
        // is 20 s) past the trail's 10 s drain, and the stop says how many rows die with it.
        assertThat(first)
                .containsPattern("Audit trail: [1-9][0-9]* entries could not be written before shutdown: the"
                        + " database did not answer within 10 s");
        assertThat(postgresOf(data)).as("left frozen by the first run").isNotEmpty();

        try (PackagedApp again = PackagedApp.start(workDir.resolve("second"), settings, List.of())) {
            assertThat(again.awaitManagement200("/q/health/ready", Duration.ofSeconds(150)))
                    .as("the second run is ready; output:%n%s", again.output())
                    .isTrue();
            assertThat(again.output()).contains("Stopping a PostgreSQL left running");
        }
    }

    /**
     * A stop that outlasts pg_ctl's own 5 s (a long shutdown checkpoint; here the server is frozen
     * until pg_ctl has given up, then let go) is waited for: Rapport exited at once, leaving the
     * server mid-shutdown for a container or service manager to kill.
     */
    @Test
    void aStopThatOutlastsPgCtlsWaitIsWaitedFor() throws Exception {
        data = workDir.resolve("data");
        var settings = PackagedApp.prodSettings(
                "RAPPORT_EMBEDDED_DB_DATA_DIR", data.toString(), "QUARKUS_SHUTDOWN_DELAY", "0s");
        try (PackagedApp app = PackagedApp.start(workDir.resolve("run"), settings, List.of())) {
            assertThat(app.awaitManagement200("/q/health/ready", Duration.ofSeconds(90)))
                    .as(app.output())
                    .isTrue();
            List<ProcessHandle> server = postgresOf(data);
            frozen.addAll(server);
            signal("-STOP", server);
            app.terminate();
            Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
            while (!app.output().contains("is still stopping") && Instant.now().isBefore(deadline)) {
                Thread.sleep(100);
            }
            assertThat(app.output()).as("waiting past pg_ctl").contains("is still stopping");
            signal("-CONT", server);
            OptionalInt exit = app.awaitExit(Duration.ofSeconds(60));
            assertThat(exit).as("exited; output:%n%s", app.output()).isPresent();
            assertThat(app.output()).contains("Embedded PostgreSQL stopped").doesNotContain("did not stop:");
        }
        assertThat(postgresOf(data)).isEmpty();
        assertThat(data.resolve("postmaster.pid")).doesNotExist();
    }

    private static void signal(String signal, List<ProcessHandle> processes) throws Exception {
        for (ProcessHandle p : processes) {
            new ProcessBuilder("kill", signal, Long.toString(p.pid()))
                    .inheritIO()
                    .start()
                    .waitFor();
        }
    }

    /** The postmaster and its backends: every postgres process naming this data directory or forked from one. */
    private static List<ProcessHandle> postgresOf(Path data) {
        String dir = data.toAbsolutePath().toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains(dir)
                        || p.parent()
                                .flatMap(parent -> parent.info().commandLine())
                                .orElse("")
                                .contains(dir))
                .filter(p -> p.info().command().orElse("").contains("postgres"))
                .toList();
    }
}

package io.rapport.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.rapport.support.PackagedApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SIGTERM while the embedded PostgreSQL is being made and started (an orchestrator giving up on
 * a slow start) must not leave that PostgreSQL running once Rapport has exited. The JVM takes no
 * new shutdown hook once it is shutting down, and the hook that stops the server was added only
 * after the server had started: the server outlived the JVM, until the next start stopped it.
 */
class SigtermDuringStartIT {

    @TempDir
    Path workDir;

    @Test
    void aSigtermWhileTheEmbeddedDatabaseStartsLeavesNoPostgresBehind() throws Exception {
        Path data = workDir.resolve("data");
        OptionalInt exit;
        String output;
        try (PackagedApp app = PackagedApp.start(
                workDir, PackagedApp.prodSettings("RAPPORT_EMBEDDED_DB_DATA_DIR", data.toString()), List.of())) {
            // initdb writes PG_VERSION first: from then on the server is being made, not yet started.
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!Files.exists(data.resolve("PG_VERSION")) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(data.resolve("PG_VERSION")).as(app.output()).exists();
            app.terminate();
            exit = app.awaitExit(Duration.ofSeconds(90));
            output = app.output();
        }
        assertThat(exit).as("exited; output:%n%s", output).isPresent();
        // Here the server is started after the JVM has begun to shut down ("Shutdown in progress"
        // in the output), the race this is about; on a machine where initdb and the start are done
        // before the SIGTERM is acted on, it is the ordinary stop, which must leave nothing either.
        // A server stopping after the JVM has gone takes a moment to leave the process table.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!postgresOf(data).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(postgresOf(data))
                .as("PostgreSQL processes on %s; output:%n%s", data, output)
                .isEmpty();
    }

    private static List<String> postgresOf(Path data) {
        String dir = data.toAbsolutePath().toString();
        return ProcessHandle.allProcesses()
                .map(p -> p.info().commandLine().orElse(""))
                .filter(c -> c.contains("postgres") && c.contains(dir))
                .toList();
    }
}

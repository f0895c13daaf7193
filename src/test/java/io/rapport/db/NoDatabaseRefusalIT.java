package io.rapport.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.rapport.support.PackagedApp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container image turns the embedded PostgreSQL off. Started there without a JDBC URL, the
 * packaged service must stop at once and say which variable to set, and must not have started a
 * database of its own on the container's disk.
 */
class NoDatabaseRefusalIT {

    @TempDir
    Path workDir;

    @Test
    void refusesToStartWithoutAJdbcUrlWhenTheEmbeddedDatabaseIsOff() throws Exception {
        OptionalInt exit;
        String output;
        try (PackagedApp app = PackagedApp.start(
                workDir,
                PackagedApp.env(
                        "RAPPORT_EMBEDDED_DB_ENABLED", "false",
                        "RAPPORT_PSEUDONYM_KEY", "refusal-test-key-not-secret-0123456789abcdef"),
                List.of())) {
            exit = app.awaitExit(Duration.ofSeconds(60));
            output = app.output();
        }

        assertThat(exit).as("exit code; output:%n%s", output).isPresent();
        assertThat(exit.getAsInt()).as(output).isNotZero();
        assertThat(output).contains("QUARKUS_DATASOURCE_JDBC_URL is not set");
        assertThat(output).contains("RAPPORT_EMBEDDED_DB_ENABLED=false");
        assertThat(output).doesNotContain("Embedded PostgreSQL started");
        assertThat(workDir.resolve("data")).doesNotExist();
    }
}

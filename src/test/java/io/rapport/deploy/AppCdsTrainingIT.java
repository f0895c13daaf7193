package io.rapport.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.rapport.support.ContainerImage;
import io.rapport.support.PackagedApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container image writes its AppCDS archive with docker/appcds-train.sh (docker/Dockerfile.jvm).
 * No Docker engine is needed to prove the script: run here against the packaged app, as the image
 * build runs it against /deployments, its archive must be usable by the next start, and serve that
 * start the classes Quarkus' own archive leaves out (Hibernate's session factory, Flyway, the JDBC
 * driver, Rapport's own beans).
 */
class AppCdsTrainingIT {

    @TempDir
    Path work;

    @Test
    void theTrainedArchiveServesTheClassesOfAWholeStart() throws Exception {
        Path archive = work.resolve("app-cds.jsa");
        PackagedApp.trainAppCds(archive, work.resolve("train.log"), "-XX:+UseSerialGC");
        assertThat(archive).isRegularFile();

        Path classLog = work.resolve("classes.log");
        try (PackagedApp app = PackagedApp.startInAppDir(
                work.resolve("run"),
                PackagedApp.prodSettings(
                        "RAPPORT_EMBEDDED_DB_DATA_DIR",
                        work.resolve("pg").toString(),
                        "RAPPORT_EMBEDDED_DB_DURABLE",
                        "false"),
                // The image's own JVM options, read from its Dockerfile, so an option this JVM does
                // not take fails here. -Xshare:on: the JVM refuses to start at all when it cannot map
                // the archive, so a start that was quietly not sharing cannot pass for one that was.
                ContainerImage.jvmOptions(archive, "-Xshare:on", "-Xlog:class+load=info:file=" + classLog))) {
            assertThat(app.awaitManagement200("/q/health/ready", Duration.ofSeconds(120)))
                    .as("ready; output:%n%s", app.output())
                    .isTrue();
        }

        String loaded = Files.readString(classLog);
        for (String name : List.of(
                "org.hibernate.internal.SessionFactoryImpl",
                "org.flywaydb.core.Flyway",
                "org.postgresql.jdbc.PgConnection",
                "io.rapport.db.DatabaseReadiness")) {
            assertThat(loaded)
                    .as(name)
                    .containsPattern(name.replace(".", "\\.") + " source: shared objects file \\(top\\)");
        }
    }
}

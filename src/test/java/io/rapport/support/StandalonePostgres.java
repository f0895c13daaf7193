package io.rapport.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;

/**
 * A PostgreSQL of one test's own, apart from the suite's, for tests that need a database in a
 * state the service would never leave it in: a schema part-way through its migrations, or changed
 * by hand.
 */
public final class StandalonePostgres {

    private StandalonePostgres() {}

    public static EmbeddedPostgres start(Path dataDirectory) throws IOException {
        return EmbeddedPostgres.builder()
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(true)
                .setPGStartupWait(Duration.ofSeconds(60))
                .start();
    }

    public static String url(EmbeddedPostgres postgres) {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
    }

    /** This build's migrations, as the service runs them, up to {@code target} (all when null). */
    public static void migrate(EmbeddedPostgres postgres, String target) {
        FluentConfiguration flyway = Flyway.configure()
                .dataSource(url(postgres), "postgres", "postgres")
                .locations("classpath:db/migration");
        if (target != null) {
            flyway.target(target);
        }
        flyway.load().migrate();
    }
}

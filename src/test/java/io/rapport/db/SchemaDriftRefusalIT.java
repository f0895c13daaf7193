package io.rapport.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.rapport.support.PackagedApp;
import io.rapport.support.PackagedJar;
import io.rapport.support.StandalonePostgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database whose schema has drifted from what the service maps is refused at startup, naming
 * the table and the column, instead of failing later in a request. The drift is in the audit
 * trail, a table the service only ever touches in SQL: the mapping covers every table, not only
 * the ones Hibernate writes.
 */
class SchemaDriftRefusalIT {

    @TempDir
    Path temp;

    @Test
    void aColumnDroppedByHandStopsTheStartAndIsNamed() throws Exception {
        try (EmbeddedPostgres postgres = StandalonePostgres.start(temp.resolve("external-pg"))) {
            String url = StandalonePostgres.url(postgres);
            // Every migration of this build, as the service would run them, then one change by hand.
            StandalonePostgres.migrate(postgres, null);
            try (Connection c = postgres.getPostgresDatabase().getConnection();
                    Statement st = c.createStatement()) {
                st.execute("ALTER TABLE audit_event DROP COLUMN records");
            }

            try (PackagedJar jar = PackagedJar.start(
                    temp.resolve("app"),
                    PackagedApp.prodSettings(
                            "QUARKUS_DATASOURCE_JDBC_URL", url,
                            "QUARKUS_DATASOURCE_USERNAME", "postgres",
                            "QUARKUS_DATASOURCE_PASSWORD", "postgres"))) {
                int exit = jar.awaitExit(Duration.ofSeconds(120));
                String out = jar.output();
                assertThat(exit).as(out).isNotZero();
                assertThat(out).contains("missing column [records] in table [audit_event]");
                assertThat(out).doesNotContain("Listening on");
            }
        }
    }
}

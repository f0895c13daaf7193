package io.rapport.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.rapport.support.StandalonePostgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * V17 clears the acknowledger that reopenings before it left on alerts nobody had acknowledged
 * since, and keeps every acknowledgement that stands.
 */
class AcknowledgerMigrationTest {

    @TempDir
    Path temp;

    @Test
    void anAlertWithoutAnAcknowledgementLosesItsStaleAcknowledgerAndTheOthersKeepTheirs() throws Exception {
        try (EmbeddedPostgres postgres = StandalonePostgres.start(temp.resolve("pg"))) {
            StandalonePostgres.migrate(postgres, "16");
            try (Connection c = postgres.getPostgresDatabase().getConnection();
                    Statement st = c.createStatement()) {
                // reopened: the bug's leftover; acked: a standing acknowledgement; resolved-acked: an
                // acknowledged alert since resolved; never: never acknowledged.
                st.execute("INSERT INTO alert (clinic_id, visit_id, instrument, reason, provider_id, total, status,"
                        + " raised_at, acknowledged_at, note, acknowledged_by) VALUES"
                        + " ('c', 'reopened', 'SRS', 'BELOW_CUTOFF', 'p', 20, 'OPEN', now(), NULL, NULL, 'ann'),"
                        + " ('c', 'acked', 'SRS', 'BELOW_CUTOFF', 'p', 20, 'ACKNOWLEDGED', now(), now(), 'n', 'bob'),"
                        + " ('c', 'resolved-acked', 'SRS', 'BELOW_CUTOFF', 'p', 20, 'RESOLVED', now(), now(), 'n', 'cy'),"
                        + " ('c', 'never', 'SRS', 'BELOW_CUTOFF', 'p', 20, 'OPEN', now(), NULL, NULL, NULL)");

                StandalonePostgres.migrate(postgres, "17");

                List<String> rows = new ArrayList<>();
                try (ResultSet rs = st.executeQuery(
                        "SELECT visit_id, coalesce(acknowledged_by, '-') FROM alert ORDER BY visit_id")) {
                    while (rs.next()) {
                        rows.add(rs.getString(1) + "=" + rs.getString(2));
                    }
                }
                assertThat(rows).containsExactly("acked=bob", "never=-", "reopened=-", "resolved-acked=cy");
            }
        }
    }
}

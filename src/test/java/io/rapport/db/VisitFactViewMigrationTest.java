package io.rapport.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.rapport.support.StandalonePostgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * V15 turns visit_fact from a table that V6's trigger filled into a view of visit's generated
 * columns. A database that already holds visits must read the same fact rows after it as before,
 * for every way a derived figure is defined, and a visit written after it must get the figures
 * worked out here by hand.
 */
class VisitFactViewMigrationTest {

    @TempDir
    Path temp;

    private static final String COLUMNS = "clinic_id, visit_id, provider_id, patient_pseudonym, modality,"
            + " scheduled_start, started_at, ended_at, face_to_face_seconds, documentation_seconds,"
            + " after_hours_documentation_seconds, response_latency_seconds, patient_talk_share,"
            + " connection_drops, recorded_at, received_at";

    /**
     * One visit per rule: on time, late, early (wait floored at 0), no schedule, no face-to-face
     * or documentation time (no share), a message thread (no face-to-face figures, its latency a
     * reply time), and every optional figure absent.
     */
    private static final String VISITS = """
            ('c', 'late', 'p1', 'k:a', 'VIDEO', '2026-01-05 09:00Z', '2026-01-05 09:04Z', '2026-01-05 09:34Z',
             1200, 600, 120, 2.5, 0.4, 1, now(), now()),
            ('c', 'early', 'p1', 'k:a', 'PHONE', '2026-01-05 10:00Z', '2026-01-05 09:58Z', '2026-01-05 10:20Z',
             900, 300, NULL, 1.0, 0.5, 0, now(), now()),
            ('c', 'unscheduled', 'p2', 'k:b', 'IN_PERSON', NULL, '2026-01-06 09:00Z', '2026-01-06 09:30Z',
             1500, 300, 0, NULL, NULL, NULL, now(), now()),
            ('c', 'empty', 'p2', 'k:b', 'VIDEO', '2026-01-06 11:00Z', '2026-01-06 11:00Z', '2026-01-06 11:01Z',
             0, 0, NULL, NULL, NULL, NULL, now(), now()),
            ('c', 'thread', 'p3', 'k:c', 'MESSAGING', NULL, '2026-01-07 08:00Z', '2026-01-07 20:00Z',
             0, 240, 60, 7200, NULL, NULL, now(), now())
            """;

    @Test
    void factRowsReadTheSameAfterV15AndNewVisitsGetTheirFigures() throws Exception {
        try (EmbeddedPostgres postgres = StandalonePostgres.start(temp.resolve("pg"))) {
            StandalonePostgres.migrate(postgres, "14");
            try (Connection c = postgres.getPostgresDatabase().getConnection();
                    Statement st = c.createStatement()) {
                st.execute("INSERT INTO visit (" + COLUMNS + ") VALUES " + VISITS);
                List<String> before = facts(st, "");
                assertThat(before).hasSize(5);
                String columns = string(st, COLUMN_TYPES);

                StandalonePostgres.migrate(postgres, "15");
                assertThat(facts(st, "")).isEqualTo(before);
                assertThat(string(st, COLUMN_TYPES)).isEqualTo(columns);
                assertThat(string(st, "SELECT relkind FROM pg_class WHERE relname = 'visit_fact'"))
                        .isEqualTo("v");
                // A manager's window still reads one index and nothing else.
                st.execute("VACUUM ANALYZE visit");
                st.execute("SET enable_seqscan = off");
                st.execute("SET enable_bitmapscan = off");
                assertThat(string(
                                st,
                                "EXPLAIN SELECT * FROM visit_fact WHERE clinic_id = 'c'"
                                        + " AND started_at >= '2026-01-01' AND started_at < '2026-02-01'"))
                        .contains("Index Only Scan using visit_window_idx");

                // After V15: 1,000 s face to face of 1,000 + 250 documented = 0.8; 6 min late = 360 s.
                st.execute("INSERT INTO visit (" + COLUMNS + ") VALUES ('c', 'after', 'p4', 'k:d', 'VIDEO',"
                        + " '2026-01-08 09:00Z', '2026-01-08 09:06Z', '2026-01-08 09:36Z', 1000, 250, NULL, 3.5,"
                        + " 0.25, 2, now(), now())");
                assertThat(facts(st, " WHERE visit_id = 'after'"))
                        .containsExactly(
                                "c|after|p4|k:d|VIDEO|t|0.8|1000|250|null|360|3.5|null|0.25|2|2026-01-08 09:06");
                // A message thread corrected into a video visit takes the live figures at once.
                st.execute("UPDATE visit SET modality = 'VIDEO', face_to_face_seconds = 600 WHERE visit_id = 'thread'");
                assertThat(facts(st, " WHERE visit_id = 'thread'"))
                        .containsExactly(
                                "c|thread|p3|k:c|VIDEO|t|0.7142857142857143|600|240|60|null|7200|null|null|null|2026-01-07 08:00");
            }
        }
    }

    /** visit_fact's columns, in order, each with its type (collations apart: V15 says which changed). */
    private static final String COLUMN_TYPES = "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod),"
            + " ', ' ORDER BY attnum) FROM pg_attribute"
            + " WHERE attrelid = 'visit_fact'::regclass AND attnum > 0 AND NOT attisdropped";

    /** Each fact row as text, by visit id (byte order, whatever the database's collation). */
    private static List<String> facts(Statement st, String where) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = st.executeQuery("SELECT clinic_id, visit_id, provider_id, patient_pseudonym, modality,"
                + " live, face_to_face_share, face_to_face_seconds, documentation_seconds,"
                + " after_hours_documentation_seconds, wait_seconds, response_latency_seconds,"
                + " message_reply_seconds, patient_talk_share, connection_drops, to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM visit_fact"
                + where
                + " ORDER BY visit_id COLLATE \"C\"")) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> cells = new ArrayList<>();
                for (int i = 1; i <= columns; i++) {
                    Object value = rs.getObject(i);
                    cells.add(
                            value instanceof Double d && d == Math.rint(d) && !d.isInfinite()
                                    ? String.valueOf(d.longValue())
                                    : value instanceof Boolean b ? (b ? "t" : "f") : String.valueOf(value));
                }
                out.add(String.join("|", cells));
            }
        }
        return out;
    }

    private static String string(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}

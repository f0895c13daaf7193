package io.rapport.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.rapport.support.Fixtures;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * V8's alert_evaluation_lock, called on connections of their own: the number of locks it holds
 * must not grow with the batch (or a few concurrent batches would overflow PostgreSQL's shared lock
 * table), and a call that waited for a visit's lock must then lock the provider of that visit,
 * committed after the call began. What the locks are for is shown over HTTP by AlertSequenceTest.
 */
@QuarkusTest
class AlertEvaluationLockTest {

    private static final String LOCK = "SELECT alert_evaluation_lock(?::text[], ?::text[])";

    /** Advisory locks this session holds: visit buckets (0-63), then provider buckets (64-127). */
    private static final String HELD = "SELECT count(*) FILTER (WHERE objid < 64), count(*) FILTER (WHERE objid >= 64)"
            + " FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid()";

    @Inject
    AgroalDataSource dataSource;

    @Test
    void aThousandVisitsOfTwoHundredProvidersHoldAtMostSixtyFourLocksOfEachKind() throws SQLException {
        String clinic = Fixtures.unique("lock");
        String[] visits = IntStream.range(0, 1000).mapToObj(i -> "v-" + i).toArray(String[]::new);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                for (int i = 0; i < visits.length; i++) {
                    insertVisit(c, clinic, visits[i], "dr-" + (i % 200));
                }
                lock(c, clinic, visits);
                long[] held = held(c);
                // 1,000 visit ids fill the 64 visit buckets (hashtext is deterministic; for any 1,000
                // ids an empty bucket has a chance of about 10^-5); 200 providers hash into at most 64.
                assertThat(held[0]).isEqualTo(64);
                assertThat(held[1]).isLessThanOrEqualTo(64).isGreaterThan(32);
            } finally {
                c.rollback();
            }
        }
    }

    @Test
    void aCallThatWaitedForAVisitLocksTheProviderItCommitted() throws Exception {
        String clinic = Fixtures.unique("lock");
        try (Connection first = dataSource.getConnection();
                Connection second = dataSource.getConnection()) {
            first.setAutoCommit(false);
            second.setAutoCommit(false);
            try {
                insertVisit(first, clinic, "v-1", "dr-late");
                lock(first, clinic, "v-1");
                assertThat(held(first)).containsExactly(1, 1);

                // A rating's evaluation of the same visit, while the visit is not committed: it waits.
                CompletableFuture<long[]> waited = CompletableFuture.supplyAsync(() -> {
                    try {
                        lock(second, clinic, "v-1");
                        return held(second);
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });
                Thread.sleep(500);
                assertThat(waited).isNotDone();
                first.commit();
                // Its provider lookup ran in a snapshot taken after that commit: it found dr-late.
                assertThat(waited.get(30, TimeUnit.SECONDS)).containsExactly(1, 1);
            } finally {
                second.rollback();
                first.rollback();
                try (PreparedStatement ps = first.prepareStatement("DELETE FROM visit WHERE clinic_id = ?")) {
                    ps.setString(1, clinic);
                    ps.executeUpdate();
                }
                first.commit();
            }
        }
    }

    private static void insertVisit(Connection c, String clinic, String visitId, String provider) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO visit (clinic_id, visit_id, provider_id,"
                        + " patient_pseudonym, modality, started_at, ended_at, face_to_face_seconds, documentation_seconds,"
                        + " recorded_at, received_at) VALUES (?, ?, ?, 'k2026:x', 'VIDEO', now(), now(), 600, 60, now(), now())")) {
            ps.setString(1, clinic);
            ps.setString(2, visitId);
            ps.setString(3, provider);
            ps.executeUpdate();
        }
    }

    private static void lock(Connection c, String clinic, String... visitIds) throws SQLException {
        String[] clinics = new String[visitIds.length];
        Arrays.fill(clinics, clinic);
        try (PreparedStatement ps = c.prepareStatement(LOCK)) {
            ps.setArray(1, c.createArrayOf("text", clinics));
            ps.setArray(2, c.createArrayOf("text", visitIds));
            ps.execute();
        }
    }

    private static long[] held(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(HELD);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }
}

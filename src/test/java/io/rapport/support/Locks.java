package io.rapport.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

/**
 * Holds the locks an ingest transaction takes after writing and before committing (V8's alert
 * evaluation locks, as alert_evaluation_lock computes their keys), so a test can stop a write
 * there and send another while the first is still open, instead of hoping the two overlap.
 */
@ApplicationScoped
public class Locks {

    private final AgroalDataSource dataSource;

    public Locks(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Takes the lock of this visit's bucket in this clinic: every write of the visit waits there
     * after writing and before committing, rated or not (a visit with no rating takes no provider
     * lock, V14).
     */
    public Connection holdVisitLock(String clinic, String visitId) throws SQLException {
        return hold("SELECT pg_advisory_xact_lock(hashtext(?), hashtext(?) & 63)", clinic, visitId);
    }

    /** Takes every visit bucket's lock in this clinic: each batch of its visits waits after writing. */
    public Connection holdAllVisitLocks(String clinic) throws SQLException {
        return hold("SELECT count(pg_advisory_xact_lock(hashtext(?), b)) FROM generate_series(0, 63) AS b", clinic);
    }

    /** A transaction that has taken the locks {@code sql} takes; they go when it rolls back. */
    public Connection hold(String sql, String... params) throws SQLException {
        Connection c = dataSource.getConnection();
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            ps.execute();
        }
        return c;
    }

    /** Waits until this many sessions wait for a lock of this kind ('advisory', 'transactionid'). */
    public void awaitWaiting(String lockType, int sessions) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = ?")) {
            ps.setString(1, lockType);
            while (true) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) >= sessions) {
                        return;
                    }
                }
                assertThat(System.nanoTime())
                        .as("sessions waiting for a %s lock", lockType)
                        .isLessThan(deadline);
                Thread.sleep(20);
            }
        }
    }
}

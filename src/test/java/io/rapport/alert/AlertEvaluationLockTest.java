package io.rapport.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * V8's alert_evaluation_lock, called as a large batch calls it: the number of locks it holds must
 * not grow with the batch, or a few concurrent batches would overflow PostgreSQL's shared lock
 * table. What the locks are for is shown over HTTP by AlertSequenceTest.
 */
@QuarkusTest
class AlertEvaluationLockTest {

    @Inject
    AgroalDataSource dataSource;

    @Test
    void aBatchOfAThousandVisitsOfOneClinicHoldsAtMostSixtyFourVisitLocks() throws SQLException {
        String[] clinics = IntStream.range(0, 1000).mapToObj(i -> "lock-clinic").toArray(String[]::new);
        String[] visits = IntStream.range(0, 1000).mapToObj(i -> "v-" + i).toArray(String[]::new);
        // Two sequences left by corrections, of two providers: two provider locks.
        String[] leftClinics = {"lock-clinic", "lock-clinic", "lock-clinic"};
        String[] leftProviders = {"dr-a", "dr-b", "dr-a"};
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT alert_evaluation_lock(?::text[], ?::text[], ?::text[], ?::text[])")) {
                    ps.setArray(1, c.createArrayOf("text", clinics));
                    ps.setArray(2, c.createArrayOf("text", visits));
                    ps.setArray(3, c.createArrayOf("text", leftClinics));
                    ps.setArray(4, c.createArrayOf("text", leftProviders));
                    ps.execute();
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FILTER (WHERE objid < 64),"
                                + " count(*) FILTER (WHERE objid >= 64) FROM pg_locks"
                                + " WHERE locktype = 'advisory' AND pid = pg_backend_pid()");
                        ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    // 1,000 visits fill all 64 buckets (hashtext is deterministic, and for any 1,000 ids
                    // an empty bucket has a chance of about 10^-5); dr-a and dr-b are two provider locks.
                    assertThat(rs.getLong(1)).isEqualTo(64);
                    assertThat(rs.getLong(2)).isEqualTo(2);
                }
            } finally {
                c.rollback();
            }
        }
    }
}

package io.rapport.trend;

import io.agroal.api.AgroalDataSource;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.jboss.logging.Logger;

/**
 * Keeps {@code clinic_data_version} (V12) as small as the backends writing now: once an hour, the
 * counts of backends that have ended are folded into one row per clinic, which leaves every
 * clinic's version as it was. Through the main datasource, which is where writes and their
 * backends are; every instance may run it, since a fold finds nothing the previous one left.
 */
@ApplicationScoped
class DataVersionFold {

    private static final Logger LOG = Logger.getLogger(DataVersionFold.class);

    private final AgroalDataSource dataSource;

    DataVersionFold(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Scheduled(every = "1h", delayed = "10m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void hourly() {
        fold();
    }

    /** Rows folded; -1 when the database could not be asked (the next hour tries again). */
    long fold() {
        try (Connection c = dataSource.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT clinic_data_version_fold()")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            LOG.warnf("Folding the clinics' data versions failed: %s", e.getSQLState());
            return -1;
        }
    }
}

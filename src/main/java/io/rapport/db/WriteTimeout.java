package io.rapport.db;

import io.agroal.api.AgroalPoolInterceptor;
import io.rapport.config.RapportConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Gives each connection the right bound on how long it waits for the database, as it leaves the
 * pool.
 *
 * <p>pgjdbc's {@code socketTimeout} is the only bound that holds when the server is stalled (a
 * frozen process or a network partition answers nothing, so neither {@code statement_timeout}
 * nor a cancel request can help). It must stay above the slowest legitimate trend query, which
 * would make a platform's POST hang for as long. Writes run in a JTA transaction and are small,
 * so a connection acquired inside one gets {@code rapport.db.write-timeout} instead: a stalled
 * database then costs an ingest request that long and a 503, not a hang. Connections acquired
 * outside a transaction (trend queries, reads, gauges) are set back to the socket timeout, since
 * the pool hands out the same physical connections to both, and so are those of a transaction
 * marked as a read ({@link ReadSnapshot}).
 */
@ApplicationScoped
class WriteTimeout implements AgroalPoolInterceptor {

    private static final Logger LOG = Logger.getLogger(WriteTimeout.class);

    private final TransactionSynchronizationRegistry transactions;
    private final int writeMillis;
    private final int readMillis;

    WriteTimeout(
            TransactionSynchronizationRegistry transactions,
            RapportConfig config,
            @ConfigProperty(
                            name = "quarkus.datasource.jdbc.additional-jdbc-properties.socketTimeout",
                            defaultValue = "0")
                    int socketTimeoutSeconds) {
        this.transactions = transactions;
        this.writeMillis = millis(config.db().writeTimeout());
        this.readMillis = (int) Duration.ofSeconds(socketTimeoutSeconds).toMillis();
    }

    @Override
    public void onConnectionAcquire(Connection connection) {
        boolean write = transactions.getTransactionKey() != null && !ReadSnapshot.marked(transactions);
        int millis = write ? writeMillis : readMillis;
        try {
            connection.setNetworkTimeout(Runnable::run, millis);
        } catch (SQLException e) {
            // A connection that cannot take a timeout is broken; its first statement will say so.
            LOG.debugf("Could not set the network timeout: %s", e.getSQLState());
        }
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
    }
}

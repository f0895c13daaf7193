package io.rapport.db;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Makes the JTA transaction a caller has just begun a read: one snapshot (repeatable read), read
 * only, and waiting on the database as reads do. A JTA transaction is otherwise taken for a write,
 * whose connection gets the short write timeout ({@link WriteTimeout}): a listing that took longer
 * than that on a busy database would be cut off and answered 503.
 */
@ApplicationScoped
public class ReadSnapshot {

    /** The statement that makes a transaction one read-only snapshot; PostgreSQL takes it only first. */
    public static final String STATEMENT = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY";

    /** The transaction's mark, read by {@link WriteTimeout} as the connection leaves the pool. */
    static final String KEY = "rapport.db.read-snapshot";

    private final TransactionSynchronizationRegistry transactions;

    ReadSnapshot(TransactionSynchronizationRegistry transactions) {
        this.transactions = transactions;
    }

    /**
     * The first thing a {@code @Transactional} read through JPA does. The connection is taken from
     * the pool for the statement, after the mark.
     */
    public void begin(EntityManager entityManager) {
        transactions.putResource(KEY, Boolean.TRUE);
        entityManager.createNativeQuery(STATEMENT).executeUpdate();
    }

    /**
     * The first thing a {@code @Transactional} read through JDBC does: the mark, then a connection
     * of the transaction, its snapshot begun. The transaction ends it; closing it is the caller's.
     */
    public Connection connection(AgroalDataSource dataSource) throws SQLException {
        transactions.putResource(KEY, Boolean.TRUE);
        Connection c = dataSource.getConnection();
        try (Statement st = c.createStatement()) {
            st.execute(STATEMENT);
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    static boolean marked(TransactionSynchronizationRegistry transactions) {
        return transactions.getResource(KEY) != null;
    }
}

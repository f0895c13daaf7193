package io.rapport.db;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.TransactionSynchronizationRegistry;

/**
 * Makes the JTA transaction a caller has just begun a read: one snapshot (repeatable read), read
 * only, and waiting on the database as reads do. A JTA transaction is otherwise taken for a write,
 * whose connection gets the short write timeout ({@link WriteTimeout}): a listing that took longer
 * than that on a busy database would be cut off and answered 503.
 */
@ApplicationScoped
public class ReadSnapshot {

    /** The transaction's mark, read by {@link WriteTimeout} as the connection leaves the pool. */
    static final String KEY = "rapport.db.read-snapshot";

    private final TransactionSynchronizationRegistry transactions;

    ReadSnapshot(TransactionSynchronizationRegistry transactions) {
        this.transactions = transactions;
    }

    /**
     * The first thing a {@code @Transactional} read does: PostgreSQL takes the isolation level only
     * from the transaction's first statement, and the connection is taken from the pool for it,
     * after the mark.
     */
    public void begin(EntityManager entityManager) {
        transactions.putResource(KEY, Boolean.TRUE);
        entityManager
                .createNativeQuery("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .executeUpdate();
    }

    static boolean marked(TransactionSynchronizationRegistry transactions) {
        return transactions.getResource(KEY) != null;
    }
}

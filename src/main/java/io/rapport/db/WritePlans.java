package io.rapport.db;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * How the ingest transaction's statements are planned.
 *
 * <p>PostgreSQL kept choosing a custom plan for every execution of the ingest statements (the
 * batch upsert, the fact-table triggers, alert evaluation): planning them cost more than running
 * them. A single visit post spent about 4 ms of the server's CPU, most of it planning; with the
 * plans cached, 1.8 ms, and the service took 2.2 times the single posts per second (README,
 * "Benchmarks").
 *
 * <p>A cached generic plan is made once, from the statistics of that moment. Made while the table
 * was empty, the plan for the upsert reads the whole {@code visit} table and hashes it, and would
 * go on doing so as a backfill grows the table, until autovacuum next analyzes it (a retried batch
 * changes nothing, so that may be never: an earlier version of the store took 1.5 s instead of
 * 0.3 s for 1,000 retried visits that way). Every ingest statement finds its rows by key, so
 * within this transaction sequential scans are ruled out, and the generic plans use the keys'
 * indexes whatever the statistics say. Both settings end with the transaction, so trend queries,
 * which need plans made for their own window, never run under them. The plans made under them do
 * outlive it, cached with the pooled connection's prepared statements and the triggers' PL/pgSQL:
 * that is the point, and it holds because every execution of these statements comes through here.
 *
 * <p>Only small writes take cached plans. For a batch of hundreds of items, planning is a small
 * part of the statement's cost and a plan made for the batch's own size is the better one, so a
 * large write plans every statement for its arguments, including those PL/pgSQL runs in the
 * fact-table triggers (left to itself, the plan cache would settle on a generic plan there, whose
 * estimate assumes a hundred rows where a batch brings a thousand).
 */
@ApplicationScoped
public class WritePlans {

    private final AgroalDataSource dataSource;

    WritePlans(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Writes of up to this many items use cached plans. */
    static final int SMALL_WRITE = 20;

    /** Call first inside the ingest transaction, with the number of items it writes. */
    public void forWriteOf(int items) {
        String sql = items <= SMALL_WRITE
                ? "SELECT set_config('plan_cache_mode', 'force_generic_plan', true),"
                        + " set_config('enable_seqscan', 'off', true)"
                : "SELECT set_config('plan_cache_mode', 'force_custom_plan', true)";
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("could not set the ingest transaction's planning", e);
        }
    }
}

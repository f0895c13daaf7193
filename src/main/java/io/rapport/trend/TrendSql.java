package io.rapport.trend;

import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import io.quarkus.arc.InjectableInstance;
import io.rapport.config.RapportConfig;
import io.rapport.db.Jdbc;
import io.rapport.db.ReadSnapshot;
import io.rapport.metrics.TrendMetrics;
import io.rapport.metrics.TrendMetrics.Halves;
import io.rapport.visit.Modality;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.SocketTimeoutException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.logging.Logger;
import org.postgresql.PGStatement;

/**
 * Every trend query. The trends' and the provider comparison's aggregates and percentiles are
 * computed in PostgreSQL, so their rows stay there. The summary has PostgreSQL send each metric's
 * values, and continuity of care's ids, as one {@code bytea} per column ({@link Sent}, {@link
 * Words}), and computes percentiles, means and continuity from them in Java ({@link
 * ExactPercentile}, {@link ContinuityOfCare}); the drivers stream their rated visits to Java
 * ({@link DriverStats}, in two streams, each with half of the metrics). Both cost less than the
 * sorts and window functions SQL needs for the same figures. Each query starts from the same
 * window of {@code visit_fact}, a view of {@code visit} (V15) whose covering index {@code
 * visit_window_idx} serves it as one range scan; only fixed column names from {@link VisitMetric} are placed in SQL text.
 *
 * <p>All queries of one answer run in one {@link Snapshot}: a read-only, repeatable-read
 * transaction, so a summary's statements see the same data even while ingest writes. Two of them
 * may run at once, the second on another connection that imports the same snapshot
 * ({@link Snapshot#both}).
 */
@ApplicationScoped
class TrendSql {

    private static final Logger LOG = Logger.getLogger(TrendSql.class);

    /** The window: 7 parameters, from {@link #window}. */
    private static final String WINDOW = """
            v AS (
                SELECT * FROM visit_fact
                WHERE clinic_id = ? AND started_at >= ? AND started_at < ?
                  AND (CAST(? AS text) IS NULL OR modality = ?)
                  AND (CAST(? AS text) IS NULL OR provider_id = ?)
            )""";

    /**
     * Ratings on visits in the window, of the given instruments, as a CTE of that name: 8
     * parameters, from {@link #ratings}. Its group columns are named as the visit window's.
     */
    private static String ratingsCte(String name) {
        return name + """
                 AS (
                    SELECT * FROM rating_fact
                    WHERE clinic_id = ? AND instrument = ANY(CAST(? AS text[])) AND started_at >= ? AND started_at < ?
                      AND (CAST(? AS text) IS NULL OR modality = ?)
                      AND (CAST(? AS text) IS NULL OR provider_id = ?)
                )""";
    }

    private static final String RATINGS = ratingsCte("r");

    /** Rows per round trip of a streamed result: a year of a busy clinic is 100,000 visits. */
    private static final int STREAM_FETCH_SIZE = 10_000;

    private final AgroalDataSource dataSource;

    /**
     * Runs the second half of a {@link Snapshot#both} pair, for at most {@code
     * rapport.trends.helper-connections} answers at a time ({@link #helperPermits}); the others run
     * their halves one after another, so manager queries never hold more connections than one per
     * answer plus that many.
     */
    private final ExecutorService helpers;

    private final Semaphore helperPermits;

    private final TrendMetrics metrics;

    /**
     * Manager queries read through the "reports" datasource when it has a URL (a read replica such
     * as CloudNativePG's {@code -ro} service), else through the main one: configuration, not code.
     */
    TrendSql(
            AgroalDataSource main,
            @DataSource("reports") InjectableInstance<AgroalDataSource> reports,
            RapportConfig config,
            TrendMetrics metrics) {
        List<AgroalDataSource> active = reports.listActive();
        this.dataSource = active.isEmpty() ? main : active.get(0);
        // One by default: on two cores, more answers at once running two halves each would only
        // share the same cores, and each helper is a connection the pool must have to spare.
        this.helperPermits = new Semaphore(Math.max(0, config.trends().helperConnections()));
        this.helpers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "trend-helper");
            t.setDaemon(true);
            return t;
        });
        this.metrics = metrics;
    }

    /** Helpers free now: tests check none is lost or made up. */
    int freeHelpers() {
        return helperPermits.availablePermits();
    }

    @PreDestroy
    void stop() {
        helpers.shutdown();
    }

    /**
     * One read-only, repeatable-read transaction for all the queries of one answer. Every statement
     * is planned for its own parameters ({@link Jdbc#planEachTime}): a generic plan, which pgjdbc
     * switches to after a statement's fifth use, guesses a window of a row or two and walked the
     * continuity query as a nested loop, one sort of the window per patient, until the 15 s
     * statement timeout.
     */
    Snapshot snapshot() {
        return snapshot(true);
    }

    /**
     * {@link #snapshot()} whose transactions, its helper's too, ask PostgreSQL for no parallel
     * workers. For a summary's halves, which already keep one backend busy per core: PostgreSQL 16
     * and later plan their string_agg statements in parallel, and on two cores the answer then had
     * three or four backends competing for them (QueryBenchmark at 1M, the 365-day summary: p50 117
     * ms and p95 125 ms with workers, 108 and 111 ms without).
     */
    Snapshot snapshotWithoutParallelWorkers() {
        return snapshot(false);
    }

    private Snapshot snapshot(boolean parallelWorkers) {
        try {
            return open(null, null, parallelWorkers);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /** The first column of the first row of the last result {@code st} executed. */
    private static String lastText(Statement st) throws SQLException {
        String text = null;
        do {
            try (ResultSet rs = st.getResultSet()) {
                if (rs != null && rs.next()) {
                    text = rs.getString(1);
                }
            }
        } while (st.getMoreResults() || st.getUpdateCount() != -1);
        return text;
    }

    private static IllegalStateException failed(SQLException e) {
        return new IllegalStateException("A trend query failed: " + e.getSQLState(), e);
    }

    /**
     * A transaction as {@link #snapshot()} opens it; with {@code exported}, one that sees exactly
     * the snapshot another transaction exported ({@code SET TRANSACTION SNAPSHOT}, as {@code pg_dump
     * --jobs} does), so two connections read one state of the database, and which stops before any
     * further statement once {@code abandoned} is set.
     */
    private Snapshot open(Exported exported, AtomicBoolean abandoned, boolean parallelWorkers) throws SQLException {
        Connection c;
        try {
            c = dataSource.getConnection();
        } catch (SQLException e) {
            throw exported == null ? e : noConnection(e);
        }
        try {
            c.setAutoCommit(false);
        } catch (SQLException e) {
            endQuietly(c, e);
            throw exported == null ? e : noConnection(e);
        }
        // The transaction's settings in one round trip, with the BEGIN pgjdbc sends before them: a
        // helper's half waits for them, and one at a time, each waiting for a core the other half
        // keeps busy, they took 4-10 ms of a 90-day summary. All are the transaction's own (SET
        // TRANSACTION, SET LOCAL), so the connection goes back to the pool as it came.
        StringBuilder settings = new StringBuilder(ReadSnapshot.STATEMENT);
        if (exported != null) {
            // Before the transaction's first query, as PostgreSQL requires; the id comes from
            // pg_export_snapshot, never from a client.
            settings.append("; SET TRANSACTION SNAPSHOT '")
                    .append(exported.id().replace("'", "''"))
                    .append("'");
        }
        // Not a planner switch: percentile sorts over a year of one clinic's visits (100,000
        // values) fit in memory instead of spilling to disk.
        settings.append("; SET LOCAL work_mem = '64MB'");
        // Streamed statements are server-prepared (forEachRow); each run is still planned for its
        // own window, as planEachTime has the others planned.
        settings.append("; SET LOCAL plan_cache_mode = force_custom_plan");
        // The pool's 30 s idle-in-transaction bound is for writes, whose orphans hold row locks. An
        // answer's first connection sits idle in its snapshot while the helper runs the other half,
        // several statements of up to statement_timeout each: killed there, an answer already
        // computed failed. A read-only snapshot holds no row lock; an orphaned one still ends.
        settings.append("; SET LOCAL idle_in_transaction_session_timeout = '5min'");
        if (!parallelWorkers) {
            settings.append("; SET LOCAL max_parallel_workers_per_gather = 0");
        }
        if (exported != null) {
            // Ids are unique per server only: behind a service that balances over standbys, another
            // one may hold an export of the same id. The same snapshot, or it is not this answer's
            // (on a standby the text holds only its bounds).
            settings.append("; SELECT pg_current_snapshot()::text");
        }
        try (var st = c.createStatement()) {
            st.execute(settings.toString());
            if (exported != null && !exported.state().equals(lastText(st))) {
                throw new SQLException("another snapshot than the answer's", NOT_IMPORTED);
            }
        } catch (SQLException e) {
            endQuietly(c, e);
            // This batch is the connection's first round trip: a pooled connection whose server
            // went away fails here, and a helper's caller then runs the half itself.
            throw exported != null && deadConnection(e) ? noConnection(e) : e;
        }
        return exported == null
                ? new Snapshot(c, this, null, parallelWorkers)
                : new Snapshot(c, null, abandoned, parallelWorkers);
    }

    private static void endQuietly(Connection c, SQLException cause) {
        try {
            Snapshot.end(c);
        } catch (RuntimeException ending) {
            cause.addSuppressed(ending);
        }
    }

    /**
     * A helper got no working connection: the pool had none free in time, the server refused one
     * (too many connections, still starting), or a pooled one was dead. The caller's own connection
     * works, so the caller runs the half itself. Not when the server stopped answering: the
     * caller's connection would wait out the socket timeout a second time.
     */
    private static SQLException noConnection(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException) {
                return e;
            }
        }
        return new SQLException("no connection for a helper", NO_CONNECTION, e);
    }

    /**
     * The connection is gone (SQLState class 08) or its backend was ended (57P01-57P03, an
     * administrator's pg_terminate_backend, a shutdown, a restart).
     */
    private static boolean deadConnection(SQLException e) {
        String state = e.getSQLState();
        return state != null
                && (state.startsWith("08") || Set.of("57P01", "57P02", "57P03").contains(state));
    }

    /** What a helper's transaction must import: the id, and the snapshot's text to check it by. */
    private record Exported(String id, String state) {}

    /**
     * SQLStates of a snapshot the helper's server cannot import: it does not exist there (42704 on
     * PostgreSQL 17, 22023 for a malformed id), its exporting transaction has ended (55000), or it
     * is another server's ({@link #NOT_IMPORTED}). Only these have the caller run the half itself;
     * any other failure fails the answer, as it would have on the caller's own connection.
     */
    private static final String NOT_IMPORTED = "R0001";

    /** Made-up SQLState of {@link #noConnection}. */
    private static final String NO_CONNECTION = "R0002";

    private static boolean notImported(SQLException e) {
        return Set.of("42704", "22023", "55000", NOT_IMPORTED).contains(e.getSQLState());
    }

    /**
     * Whether the pool can very likely hand a helper a connection at once. A helper must not wait
     * for one: the acquisition timeout would be added to an answer that runs fine on its own
     * connection. Without pool metrics the counts read 0, and a helper is tried.
     */
    private boolean connectionToSpare() {
        int max = dataSource.getConfiguration().connectionPoolConfiguration().maxSize();
        return dataSource.getMetrics().activeCount() < max;
    }

    /** Both results of {@link Snapshot#both}. */
    record Both<A, B>(A first, B second) {}

    /** The open transaction; closing it ends the transaction and returns the connection. */
    static final class Snapshot implements AutoCloseable {

        private final Connection c;

        /** Where a helper comes from; null in a helper's own transaction, which never forks again. */
        private final TrendSql owner;

        /** Set when the answer a helper works for has failed: its next statement is not run. */
        private final AtomicBoolean abandoned;

        /** Whether its transaction, and a helper's, may use parallel workers ({@link #snapshotWithoutParallelWorkers}). */
        private final boolean parallelWorkers;

        private Snapshot(Connection c, TrendSql owner, AtomicBoolean abandoned, boolean parallelWorkers) {
            this.parallelWorkers = parallelWorkers;
            this.c = c;
            this.owner = owner;
            this.abandoned = abandoned;
        }

        /**
         * Runs {@code first} here and {@code second} at the same time on another connection whose
         * transaction imports this one's snapshot, so both read the same state of the database while
         * PostgreSQL works for each on its own core. When no helper is free, the pool has no
         * connection to spare, or the other connection cannot import the snapshot (a read replica
         * behind a load-balancing service may hand it another server), {@code second} runs here
         * after {@code first}, in this snapshot: the same answer, later. When {@code first} fails,
         * the answer fails at once; the helper stops after its current statement, which the
         * statement timeout bounds.
         */
        <A, B> Both<A, B> both(Function<Snapshot, A> first, Function<Snapshot, B> second) {
            return both(first, second, null);
        }

        /**
         * {@link #both}, with the snapshot the helper imports given: a test hands it one no server
         * has. Null exports this one.
         */
        <A, B> Both<A, B> both(Function<Snapshot, A> first, Function<Snapshot, B> second, Supplier<String> id) {
            if (owner == null) {
                return new Both<>(first.apply(this), second.apply(this));
            }
            if (!owner.helperPermits.tryAcquire()) {
                owner.metrics.halves(Halves.NO_HELPER);
                return new Both<>(first.apply(this), second.apply(this));
            }
            AtomicBoolean abandoned = new AtomicBoolean();
            Future<Helped<B>> other = null;
            Halves inTurn = Halves.NO_CONNECTION;
            try {
                if (owner.connectionToSpare()) {
                    Exported exported = id == null ? export() : new Exported(id.get(), state());
                    other = owner.helpers.submit(() -> owner.inImported(exported, second, abandoned, parallelWorkers));
                }
            } catch (RejectedExecutionException e) {
                // Shutting down: no new helpers, and this answer still completes.
                inTurn = Halves.NO_HELPER;
            } catch (RuntimeException e) {
                owner.helperPermits.release();
                throw e;
            }
            if (other == null) {
                owner.helperPermits.release();
                owner.metrics.halves(inTurn);
                return new Both<>(first.apply(this), second.apply(this));
            }
            A a;
            Helped<B> b;
            boolean finished = false;
            try {
                a = first.apply(this);
                b = await(other);
                finished = true;
            } finally {
                // Whatever ended this answer early (an error, an interrupt): the helper stops too.
                if (!finished) {
                    abandoned.set(true);
                }
            }
            owner.metrics.halves(b.outcome());
            return new Both<>(a, b.ran() ? b.value() : second.apply(this));
        }

        /** This snapshot, exported for a helper, with the text to check it by: one round trip. */
        private Exported export() {
            try (var st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT pg_export_snapshot(), pg_current_snapshot()::text")) {
                rs.next();
                return new Exported(rs.getString(1), rs.getString(2));
            } catch (SQLException e) {
                throw failed(e);
            }
        }

        private String state() {
            return single("SELECT pg_current_snapshot()::text");
        }

        private String single(String sql) {
            try (var st = c.createStatement();
                    ResultSet rs = st.executeQuery(sql)) {
                rs.next();
                return rs.getString(1);
            } catch (SQLException e) {
                throw failed(e);
            }
        }

        private static <T> T await(Future<T> other) {
            try {
                return other.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("A trend query was interrupted", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new IllegalStateException("A trend query failed", e.getCause());
            }
        }

        private void checkNotAbandoned() {
            if (abandoned != null && abandoned.get()) {
                throw new IllegalStateException("A trend query was abandoned: its answer failed already");
            }
        }

        /**
         * A result row as column label → value, in select order. Parameters in order: a String[]
         * binds as text[], a Double[] as float8[], an Instant[] as timestamptz[], an Instant as
         * timestamptz, anything else as is.
         */
        List<Map<String, Object>> query(String sql, Object... params) {
            checkNotAbandoned();
            try (PreparedStatement ps = Jdbc.planEachTime(c.prepareStatement(sql))) {
                bind(ps, params);
                List<Map<String, Object>> rows = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    int columns = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        Map<String, Object> row = new LinkedHashMap<>();
                        for (int i = 1; i <= columns; i++) {
                            Object value = rs.getObject(i);
                            if (value instanceof Array array) {
                                value = array.getArray();
                            }
                            row.put(rs.getMetaData().getColumnLabel(i), value);
                        }
                        rows.add(row);
                    }
                }
                return rows;
            } catch (SQLException e) {
                throw new IllegalStateException("A trend query failed: " + e.getSQLState(), e);
            }
        }

        /** A row of a streamed result. */
        interface RowHandler {
            void row(ResultSet rs) throws SQLException;
        }

        /**
         * Hands each row to {@code handler} as it arrives, {@link TrendSql#STREAM_FETCH_SIZE} at a time
         * through a portal, so a long result is never held whole.
         */
        void forEachRow(String sql, RowHandler handler, Object... params) {
            checkNotAbandoned();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                // Binary rows: a float8 comes as its 8 bytes instead of text to parse, which was a
                // fifth of the drivers' time. pgjdbc asks for binary results only from a
                // server-prepared statement, which a negative threshold makes from the first run.
                ps.unwrap(PGStatement.class).setPrepareThreshold(-1);
                bind(ps, params);
                ps.setFetchSize(STREAM_FETCH_SIZE);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        // Each fetch of a long stream is its own round trip: stop between them too.
                        checkNotAbandoned();
                        handler.row(rs);
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException("A trend query failed: " + e.getSQLState(), e);
            }
        }

        private void bind(PreparedStatement ps, Object... params) throws SQLException {
            int next = 1;
            for (Object p : params) {
                if (p instanceof String[] array) {
                    ps.setArray(next++, c.createArrayOf("text", array));
                } else if (p instanceof Double[] array) {
                    ps.setArray(next++, c.createArrayOf("float8", array));
                } else if (p instanceof Instant[] array) {
                    // Bound as timestamptz[] itself, not text[] cast in the statement: text to
                    // timestamptz is only stable, so the planner would not fold that cast and every
                    // row would parse the whole array again (ten times the 365-day trend's time).
                    ps.setArray(
                            next++,
                            c.createArrayOf(
                                    "timestamptz",
                                    Arrays.stream(array).map(Jdbc::text).toArray()));
                } else if (p instanceof Instant instant) {
                    Jdbc.setInstant(ps, next++, instant);
                } else {
                    ps.setObject(next++, p);
                }
            }
        }

        @Override
        public void close() {
            end(c);
        }

        /**
         * Ends the transaction and returns the connection to the pool as it came. The connection is
         * closed (given back) whatever fails before: a broken one fails every reset too, and
         * skipping the close would keep it from the pool for good.
         */
        static void end(Connection c) {
            try {
                try {
                    c.rollback();
                } finally {
                    try {
                        if (!c.isClosed()) {
                            // The isolation and read-only mode were the transaction's own.
                            c.setAutoCommit(true);
                        }
                    } finally {
                        c.close();
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException("Ending a trend query failed: " + e.getSQLState(), e);
            }
        }
    }

    /**
     * A helper's part of {@link Snapshot#both}: {@code work} in a transaction that imports the
     * exported snapshot; or nothing, when this server cannot import it or no connection was to be
     * had, so the caller runs the half itself. Gives its permit back either way.
     */
    private <B> Helped<B> inImported(
            Exported exported, Function<Snapshot, B> work, AtomicBoolean abandoned, boolean parallelWorkers) {
        try {
            Snapshot imported;
            try {
                imported = open(exported, abandoned, parallelWorkers);
            } catch (SQLException e) {
                if (notImported(e)) {
                    return new Helped<>(null, Halves.NOT_IMPORTED);
                }
                if (NO_CONNECTION.equals(e.getSQLState())) {
                    return new Helped<>(null, Halves.NO_CONNECTION);
                }
                throw failed(e);
            }
            try (imported) {
                return new Helped<>(work.apply(imported), Halves.TOGETHER);
            }
        } catch (RuntimeException e) {
            if (abandoned.get()) {
                // Nobody reads this result: the answer failed already, for its own reason.
                LOG.debugf("A helper of a failed answer stopped: %s", e.getMessage());
            }
            throw e;
        } finally {
            helperPermits.release();
        }
    }

    /** What a helper did: its result when it {@code ran}, and the outcome {@link TrendMetrics} counts. */
    private record Helped<B>(B value, Halves outcome) {
        boolean ran() {
            return outcome == Halves.TOGETHER;
        }
    }

    /** The parameters of {@link #WINDOW}, then any others. */
    private static Object[] window(TrendWindow w, Object... more) {
        List<Object> p = new ArrayList<>(List.of(w.clinicId(), w.start(), w.end()));
        p.addAll(filters(w));
        p.addAll(Arrays.asList(more));
        return p.toArray();
    }

    /** The parameters of {@link #ratingsCte}, then any others. */
    private static Object[] ratings(TrendWindow w, String[] instruments, Object... more) {
        List<Object> p = new ArrayList<>(List.of(w.clinicId(), instruments, w.start(), w.end()));
        p.addAll(filters(w));
        p.addAll(Arrays.asList(more));
        return p.toArray();
    }

    private static List<Object> filters(TrendWindow w) {
        return Arrays.asList(w.modality(), w.modality(), w.providerId(), w.providerId());
    }

    private static String pct(double p, String column) {
        return "percentile_cont(" + p + ") WITHIN GROUP (ORDER BY " + column + ")";
    }

    /**
     * Time use, waits, live latency overall and per live modality, and message replies: one pass
     * over the window. Each metric's values come back as one {@code bytea} ({@link Sent}), from which
     * Java takes the means (summed in scan order, as PostgreSQL adds them), the share of long waits,
     * the documentation ratio's denominator, and the percentiles, found in
     * Java by selection ({@link ExactPercentile}), which costs a fraction of PostgreSQL's sort of
     * the same values (the 90-day summary of a busy clinic on PostgreSQL 15: 37 ms for the two
     * statements with their sorts in SQL, 10 ms for this one plus about 3 ms in Java; README,
     * "Manager queries").
     *
     * <p>The row's keys: {@code visits}, {@code <column>_mean} and {@code <column>_p} (p50, p90)
     * for the four time-use columns, {@code doc_ratio}, {@code talk_mean}, {@code drops_mean},
     * {@code wait_p} (p50, p90), {@code wait_over_300}, {@code latency_p} and {@code reply_p}
     * (p50, p90, p95), and per live modality {@link #latencyCount} and {@link #latencyPercentiles}.
     */
    static Map<String, Object> windowFigures(Snapshot s, TrendWindow w) {
        StringBuilder select = new StringBuilder("count(*) AS visits");
        for (String col : TIME_USE) {
            select.append(", ")
                    .append(values(col, null))
                    .append(" AS ")
                    .append(col)
                    .append("_values");
        }
        select.append(", sum(documentation_seconds) FILTER (WHERE live) AS live_documentation")
                .append(", avg(patient_talk_share) AS talk_mean, avg(connection_drops) AS drops_mean")
                .append(", ")
                .append(values("wait_seconds", null))
                .append(" AS wait_values")
                .append(", ")
                .append(values("message_reply_seconds", null))
                .append(" AS reply_values");
        // Latency per modality, every one of them: the overall figure is over all of them.
        for (Modality m : Modality.values()) {
            select.append(", ")
                    .append(values(
                            "response_latency_seconds",
                            "response_latency_seconds IS NOT NULL AND modality = '" + m.name() + "'"))
                    .append(" AS latency_")
                    .append(m.name().toLowerCase(Locale.ROOT));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        s.forEachRow(
                "WITH " + WINDOW + " SELECT " + select + " FROM v",
                rs -> {
                    out.put("visits", rs.getLong("visits"));
                    Double faceToFaceSum = null;
                    for (String col : TIME_USE) {
                        double[] values = sent(rs, col + "_values");
                        // Summed before the selection reorders them: in scan order, as avg() and
                        // sum() add them, so the figures are PostgreSQL's to the last bit.
                        Double sum = sum(values);
                        out.put(col + "_mean", sum == null ? null : sum / values.length);
                        out.put(col + "_p", ExactPercentile.cont(values, 0.5, 0.9));
                        if (col.equals("face_to_face_seconds")) {
                            faceToFaceSum = sum;
                        }
                    }
                    Double liveDocumentation = Jdbc.nullableDouble(rs, rs.findColumn("live_documentation"));
                    out.put(
                            "doc_ratio",
                            liveDocumentation == null || faceToFaceSum == null || faceToFaceSum == 0
                                    ? null
                                    : liveDocumentation / faceToFaceSum);
                    for (String scalar : List.of("talk_mean", "drops_mean")) {
                        out.put(scalar, Jdbc.nullableDouble(rs, rs.findColumn(scalar)));
                    }
                    double[] waits = sent(rs, "wait_values");
                    long over300 = Arrays.stream(waits).filter(x -> x > 300).count();
                    out.put("wait_over_300", waits.length == 0 ? null : (double) over300 / waits.length);
                    out.put("wait_p", ExactPercentile.cont(waits, 0.5, 0.9));
                    out.put("reply_p", ExactPercentile.cont(sent(rs, "reply_values"), 0.5, 0.9, 0.95));
                    List<double[]> all = new ArrayList<>();
                    for (Modality m : Modality.values()) {
                        double[] latency = sent(rs, "latency_" + m.name().toLowerCase(Locale.ROOT));
                        all.add(latency);
                        if (m != Modality.MESSAGING) {
                            out.put(latencyCount(m), (long) latency.length);
                            out.put(latencyPercentiles(m), ExactPercentile.cont(latency, 0.5, 0.9, 0.95));
                        }
                    }
                    out.put("latency_p", ExactPercentile.cont(concat(all), 0.5, 0.9, 0.95));
                },
                window(w));
        return out;
    }

    /** The values added in order, as PostgreSQL's sum() and avg() of float8 add them; null for none. */
    private static Double sum(double[] values) {
        if (values.length == 0) {
            return null;
        }
        double sum = 0;
        for (double x : values) {
            sum += x;
        }
        return sum;
    }

    private static final List<String> TIME_USE = List.of(
            "face_to_face_share", "face_to_face_seconds", "documentation_seconds", "after_hours_documentation_seconds");

    /**
     * The column's non-NULL values (string_agg skips NULLs), only where {@code condition} holds
     * unless it is null, as one bytea; NULL when there are none.
     */
    private static String values(String column, String condition) {
        String filter = condition == null ? "" : " FILTER (WHERE " + condition + ")";
        return "string_agg(float8send(" + column + "), ''::bytea)" + filter;
    }

    private static double[] sent(ResultSet rs, String column) throws SQLException {
        return Sent.doubles(rs.getBytes(column));
    }

    private static double[] concat(List<double[]> parts) {
        double[] out = new double[parts.stream().mapToInt(p -> p.length).sum()];
        int at = 0;
        for (double[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** The live modalities, in the order the summary lists them. */
    static final List<Modality> LIVE = Arrays.stream(Modality.values())
            .filter(m -> m != Modality.MESSAGING)
            .sorted(Comparator.comparing(Modality::name))
            .toList();

    /** {@link #windowFigures}' key: how many of the modality's visits have a live latency. */
    static String latencyCount(Modality m) {
        return "latency_n_" + m.name().toLowerCase(Locale.ROOT);
    }

    /** {@link #windowFigures}' key: the modality's live latency p50, p90 and p95. */
    static String latencyPercentiles(Modality m) {
        return "latency_p_" + m.name().toLowerCase(Locale.ROOT);
    }

    /**
     * Per instrument: responses, complete ones, mean total, below-cutoff and band counts. The
     * cutoffs and the bands counted as promoters and detractors come from the definitions.
     */
    static List<Map<String, Object>> ratingStats(
            Snapshot s,
            TrendWindow w,
            String[] instruments,
            Double[] cutoffs,
            String[] promoters,
            String[] detractors) {
        String sql = "WITH " + RATINGS + """
                , defs AS (
                    SELECT * FROM unnest(CAST(? AS text[]), CAST(? AS float8[]), CAST(? AS text[]), CAST(? AS text[]))
                        AS d(instrument, cutoff, promoter, detractor)
                )
                SELECT r.instrument,
                       count(*) AS responses,
                       count(r.total) AS complete,
                       avg(r.total) AS mean_total,
                       count(*) FILTER (WHERE r.total < d.cutoff) AS below,
                       max(d.cutoff) AS cutoff,
                       -- Ignoring case, as the bands were found: the names are read before this
                       -- statement's snapshot (V12), and a version that only renamed a band may commit
                       -- in between, after re-banding the stored ratings under the new name.
                       count(*) FILTER (WHERE r.total IS NOT NULL AND lower(r.category) = lower(d.promoter)) AS promoters,
                       count(*) FILTER (WHERE r.total IS NOT NULL AND lower(r.category) = lower(d.detractor)) AS detractors,
                       bool_or(d.promoter IS NOT NULL AND d.detractor IS NOT NULL) AS banded
                FROM r LEFT JOIN defs d ON d.instrument = r.instrument
                GROUP BY r.instrument
                ORDER BY r.instrument
                """;
        return s.query(sql, ratings(w, instruments, instruments, cutoffs, promoters, detractors));
    }

    /**
     * Continuity of care over the window ({@link ContinuityOfCare}). The window's patients,
     * providers and visit ids come back as three texts of words ({@link Words}) and the starts as
     * one array ({@link Sent}), all in one row and in whatever order the scan gives; they are put
     * in (patient, start, visit id) order here: patients by number, each patient's few visits by
     * a sort of their own. Sorting the window by pseudonym in PostgreSQL and streaming it row by row
     * took 32-37 ms of a 90-day summary of a busy clinic (README, "Manager queries"). Found at query
     * time, not kept at ingest: keeping a previous-visit column exact would make concurrent batches
     * of one patient wait for each other, and a clinic's backfill is full of such batches.
     */
    static Summary.Continuity continuity(Snapshot s, TrendWindow w) {
        boolean oneProvider = w.providerId() != null;
        String sql = "WITH " + (oneProvider ? PROVIDERS_PATIENTS : WINDOW)
                + " SELECT string_agg(textsend(patient_pseudonym), '\\x00'::bytea) AS patients,"
                + " string_agg(textsend(provider_id), '\\x00'::bytea) AS providers,"
                + " string_agg(timestamptz_send(started_at), ''::bytea) AS starts,"
                + " string_agg(textsend(visit_id), '\\x00'::bytea) AS visits FROM v";
        ContinuityOfCare walk = new ContinuityOfCare();
        s.forEachRow(
                sql,
                rs -> {
                    long[] starts = Sent.longs(rs.getBytes("starts"));
                    int n = starts.length;
                    inPatientOrder(
                            Words.of(rs.getBytes("patients"), n).numbers(),
                            Words.of(rs.getBytes("providers"), n).numbers(),
                            starts,
                            Words.of(rs.getBytes("visits"), n),
                            walk);
                },
                oneProvider ? providersPatients(w) : window(w));
        return walk.result();
    }

    /**
     * For continuity of care filtered by a provider, the window as {@code v}: every visit (of the
     * modality, when filtered) of each patient the provider saw in the window, whoever the
     * patient saw. The provider's own visits alone would give one provider per patient, so a UPC
     * and COC of 1 and no switch, whatever happened to the patients. 11 parameters, from {@link
     * #providersPatients}.
     */
    private static final String PROVIDERS_PATIENTS = """
            v AS (
                SELECT * FROM visit_fact
                WHERE clinic_id = ? AND started_at >= ? AND started_at < ?
                  AND (CAST(? AS text) IS NULL OR modality = ?)
                  AND patient_pseudonym IN (
                      SELECT patient_pseudonym FROM visit_fact
                      WHERE clinic_id = ? AND started_at >= ? AND started_at < ?
                        AND (CAST(? AS text) IS NULL OR modality = ?)
                        AND provider_id = ?)
            )""";

    private static Object[] providersPatients(TrendWindow w) {
        return new Object[] {
            w.clinicId(),
            w.start(),
            w.end(),
            w.modality(),
            w.modality(),
            w.clinicId(),
            w.start(),
            w.end(),
            w.modality(),
            w.modality(),
            w.providerId()
        };
    }

    /**
     * Feeds {@code walk} the visits in (patient, start, visit id) order: visit i is patient
     * {@code patientOf[i]}'s, with provider {@code providerOf[i]}, starting at {@code starts[i]}.
     */
    static void inPatientOrder(int[] patientOf, int[] providerOf, long[] starts, Words visits, ContinuityOfCare walk) {
        int n = starts.length;
        // Visits grouped by patient, keeping the scan's order within each (a counting sort).
        int patientCount = 0;
        for (int p : patientOf) {
            patientCount = Math.max(patientCount, p + 1);
        }
        int[] first = new int[patientCount + 1];
        for (int i = 0; i < n; i++) {
            first[patientOf[i] + 1]++;
        }
        for (int p = 0; p < patientCount; p++) {
            first[p + 1] += first[p];
        }
        int[] order = new int[n];
        int[] fill = Arrays.copyOf(first, patientCount);
        for (int i = 0; i < n; i++) {
            order[fill[patientOf[i]]++] = i;
        }
        for (int p = 0; p < patientCount; p++) {
            if (first[p + 1] - first[p] > FEW_VISITS) {
                // Many visits under one pseudonym, out of order when the plan read the window
                // another way than by start: a sort, so no input makes this quadratic.
                Integer[] mine = new Integer[first[p + 1] - first[p]];
                for (int a = 0; a < mine.length; a++) {
                    mine[a] = order[first[p] + a];
                }
                Arrays.sort(mine, (i, j) -> inVisitOrder(i, j, starts, visits));
                for (int a = 0; a < mine.length; a++) {
                    order[first[p] + a] = mine[a];
                }
            } else {
                // An insertion sort: a patient has a few visits, and a scan in start order leaves
                // them sorted.
                for (int a = first[p] + 1; a < first[p + 1]; a++) {
                    int visit = order[a];
                    int b = a - 1;
                    while (b >= first[p] && inVisitOrder(order[b], visit, starts, visits) > 0) {
                        order[b + 1] = order[b];
                        b--;
                    }
                    order[b + 1] = visit;
                }
            }
            walk.patient();
            for (int a = first[p]; a < first[p + 1]; a++) {
                walk.visit(providerOf[order[a]]);
            }
        }
    }

    /** Up to this many visits, a patient's are put in order by insertion. */
    private static final int FEW_VISITS = 32;

    /** Visits i and j compared by start, then by visit id. */
    private static int inVisitOrder(int i, int j, long[] starts, Words visits) {
        int byStart = Long.compare(starts[i], starts[j]);
        return byStart != 0 ? byStart : visits.compare(i, j);
    }

    /**
     * The clinic's data version as this snapshot sees it (V12): equal in two snapshots only when
     * both see the same writes to what manager answers read of that clinic.
     */
    static DataVersion dataVersion(Snapshot s, String clinicId) {
        String sql = "SELECT COALESCE(sum(version), 0) AS writes, COALESCE(bit_xor(stamp), 0) AS stamp"
                + " FROM clinic_data_version WHERE clinic_id IN (?, '*')";
        Map<String, Object> row = s.query(sql, clinicId).get(0);
        return new DataVersion(lng(row.get("writes")), lng(row.get("stamp")));
    }

    /** How many writes to a clinic a snapshot sees, and the exclusive or of their random stamps. */
    record DataVersion(long writes, long stamp) {}

    /**
     * Alerts open now, of the provider and on visits of the modality the answer is filtered by. Not
     * limited to the dates: an open alert needs attention whenever its visit was.
     */
    static long openAlerts(Snapshot s, TrendWindow w) {
        String sql = """
                SELECT count(*) AS n FROM alert a
                WHERE a.clinic_id = ? AND a.status = 'OPEN' AND (CAST(? AS text) IS NULL OR a.provider_id = ?)
                  AND (CAST(? AS text) IS NULL OR EXISTS (
                      SELECT 1 FROM visit v
                      WHERE v.clinic_id = a.clinic_id AND v.visit_id = a.visit_id AND v.modality = ?))
                """;
        return lng(s.query(sql, w.clinicId(), w.providerId(), w.providerId(), w.modality(), w.modality())
                .get(0)
                .get("n"));
    }

    /**
     * One row per (group, bucket) with observations: the bucket is the 1-based index into
     * {@code bucketStarts}, the instants at which each bucket begins, ascending. Java computes
     * them in the window's zone as it computes the window's own edges; PostgreSQL's zone files may
     * read the same name with other rules (a SystemV name, another tzdata version), and a visit
     * bucketed by them could fall outside the buckets the window holds. With an instrument, the
     * values are its complete totals on visits in the window, else the visit metric {@code column}.
     */
    static List<Map<String, Object>> series(
            Snapshot s,
            TrendWindow w,
            String column,
            Instant[] bucketStarts,
            String stat,
            String groupSql,
            String instrument) {
        String aggregate = switch (stat) {
            case "mean" -> "avg(x)";
            // A bucket without values has no value, as an empty bucket has none: not 0.
            case "count" -> "NULLIF(count(x), 0)::float8";
            case "p50" -> pct(0.5, "x");
            case "p90" -> pct(0.9, "x");
            case "p95" -> pct(0.95, "x");
            default -> throw new IllegalArgumentException(stat);
        };
        // The group column names are the same in both tables, so groupSql reads either as v.
        String source = instrument == null ? WINDOW : ratingsCte("v");
        String value = instrument == null ? "v." + column : "v.total";
        String sql = "WITH " + source + ", obs AS (SELECT " + groupSql + " AS grp, "
                + "width_bucket(v.started_at, CAST(? AS timestamptz[])) AS bucket, "
                + value + " AS x FROM v) "
                + "SELECT grp, bucket, count(x) AS n, " + aggregate + " AS value "
                // No "WHERE x IS NOT NULL": every group in the window gets its rows (aggregates skip
                // nulls, so a bucket of nulls only counts n = 0), and the groups need no scan of their own.
                + "FROM obs GROUP BY grp, bucket ORDER BY grp, bucket";
        return instrument == null
                ? s.query(sql, window(w, (Object) bucketStarts))
                : s.query(sql, ratings(w, new String[] {instrument}, (Object) bucketStarts));
    }

    /**
     * Groups that have visits in the window, so a group with no values still gets its empty
     * series: needed for instrument totals, whose rows come from rating_fact, not the visits.
     */
    static List<String> groups(Snapshot s, TrendWindow w, String groupSql) {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> row :
                s.query("WITH " + WINDOW + " SELECT DISTINCT " + groupSql + " AS grp FROM v ORDER BY 1", window(w))) {
            out.add((String) row.get("grp"));
        }
        return out;
    }

    /** The provider comparison's visit figures, per provider and for the whole clinic. */
    private static final String PROVIDER_FIGURES = """
            count(*) AS visits,
            avg(face_to_face_share) AS f2f_share,
            avg(documentation_seconds) AS documentation,
            percentile_cont(0.9) WITHIN GROUP (ORDER BY wait_seconds) AS wait_p90,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY response_latency_seconds) AS latency_p50,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY message_reply_seconds) AS reply_p50,
            avg(patient_talk_share) AS talk""";

    /**
     * The visit figures per provider, in provider order. Apart from {@link #clinicFigures}, so the
     * two can run at once: the providers' rows need the window sorted by provider, the clinic's
     * three percentiles sort the whole window again, and in one {@code GROUPING SETS} statement
     * PostgreSQL does both on one core.
     */
    static List<Map<String, Object>> providerFigures(Snapshot s, TrendWindow w) {
        String sql = "WITH " + WINDOW + " SELECT provider_id, " + PROVIDER_FIGURES
                + " FROM v GROUP BY provider_id ORDER BY provider_id";
        return s.query(sql, window(w));
    }

    /** The same visit figures for the whole window: one row, with visits = 0 when it is empty. */
    static Map<String, Object> clinicFigures(Snapshot s, TrendWindow w) {
        return s.query("WITH " + WINDOW + " SELECT " + PROVIDER_FIGURES + " FROM v", window(w))
                .get(0);
    }

    /** Per provider and instrument, and per instrument for the clinic: complete ratings and their mean. */
    static List<Map<String, Object>> providerRatings(Snapshot s, TrendWindow w, String[] instruments) {
        String sql = "WITH " + RATINGS + """
                SELECT provider_id, GROUPING(provider_id) AS clinic_row, instrument,
                       count(*) AS responses, avg(total) AS mean_total
                FROM r
                WHERE total IS NOT NULL
                GROUP BY GROUPING SETS ((provider_id, instrument), (instrument))
                ORDER BY clinic_row DESC, provider_id, instrument
                """;
        return s.query(sql, ratings(w, instruments));
    }

    /**
     * The visits in the window with a complete total on the instrument, each with the given
     * metrics, in visit id order (the drivers' tie-break, so Java needs no string sort of its own):
     * the drivers' statistics are computed from them in Java ({@link DriverStats}), where one pass
     * and one sort per metric cost far less than nine window-function sorts in SQL. Two calls with
     * disjoint metrics in one snapshot see the same visits in the same order.
     */
    static DriverStats.Pairs ratedPairs(Snapshot s, TrendWindow w, String instrument, List<VisitMetric> metrics) {
        StringBuilder columns = new StringBuilder("total");
        for (VisitMetric m : metrics) {
            columns.append(", ").append(m.column);
        }
        String sql = "WITH " + RATINGS + " SELECT " + columns + " FROM r WHERE total IS NOT NULL ORDER BY visit_id";
        int count = metrics.size();
        DriverStats.Pairs pairs = new DriverStats.Pairs(count);
        s.forEachRow(
                sql,
                rs -> {
                    Double[] x = new Double[count];
                    for (int m = 0; m < count; m++) {
                        x[m] = Jdbc.nullableDouble(rs, m + 2);
                    }
                    pairs.add(rs.getDouble(1), x);
                },
                ratings(w, new String[] {instrument}));
        return pairs;
    }

    static Double dbl(Object o) {
        return o == null ? null : ((Number) o).doubleValue();
    }

    /** The i-th value of a percentile_cont array result. */
    static Double at(Object array, int i) {
        return array == null ? null : dbl(((Object[]) array)[i]);
    }

    static long lng(Object o) {
        return o == null ? 0 : ((Number) o).longValue();
    }
}

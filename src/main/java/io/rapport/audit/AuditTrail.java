package io.rapport.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The audit trail's one writer. Requests hand their entry to a bounded queue and go on; one
 * thread writes what has queued up as a single INSERT, so auditing costs ingest a queue offer,
 * not a commit per request. Entries wait in memory while the database is away and are written
 * when it is back; a clean shutdown writes what is left. Nothing ever updates or deletes a row.
 */
@ApplicationScoped
public class AuditTrail {

    private static final Logger LOG = Logger.getLogger(AuditTrail.class);
    private static final int CAPACITY = 100_000;

    /**
     * How long a stop waits for the writer's last rows, after the requests have drained: the
     * Kubernetes grace period must cover it (KubernetesManifestsTest).
     */
    public static final Duration SHUTDOWN_DRAIN = Duration.ofSeconds(10);

    private static final int MAX_ROWS_PER_INSERT = 1_000;
    private static final String INSERT =
            "INSERT INTO audit_event (at, request_id, subject, roles, clinics, refused_clinics, method, route,"
                    + " status, records) "
                    + "SELECT at, request_id, subject, roles, clinics, refused_clinics, method, route, status, records "
                    + "FROM jsonb_to_recordset(?::jsonb) AS r(at timestamptz, request_id text, subject text, "
                    + "roles text[], clinics text[], refused_clinics text[], method text, route text, status int,"
                    + " records bigint)";

    private final AgroalDataSource dataSource;
    private final ObjectMapper mapper;
    private final BlockingQueue<AuditEntry> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final AtomicLong appended = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong unstorable = new AtomicLong();
    private final Object progress = new Object();
    private volatile boolean running;

    /** Whether the rows lost at shutdown have been counted in the log: by the writer or by stop. */
    private final AtomicBoolean lossSaid = new AtomicBoolean();

    private Thread writer;

    private final Timer writes;

    AuditTrail(AgroalDataSource dataSource, ObjectMapper mapper, MeterRegistry registry) {
        this.dataSource = dataSource;
        this.mapper = mapper;
        // What auditing costs, and whether it keeps up: rows written, time spent writing, backlog.
        this.writes = Timer.builder("rapport.audit.writes")
                .description("Audit INSERTs (one per batch of queued rows) and the time they took")
                .register(registry);
        FunctionCounter.builder("rapport.audit.rows.written", written, AtomicLong::get)
                .description("Audit rows written")
                .register(registry);
        FunctionCounter.builder("rapport.audit.rows.dropped", dropped, AtomicLong::get)
                .description("Audit rows dropped because the queue was full")
                .register(registry);
        FunctionCounter.builder("rapport.audit.rows.unstorable", unstorable, AtomicLong::get)
                .description("Audit rows the database refused for what they hold, left out")
                .register(registry);
        Gauge.builder("rapport.audit.queue", queue, BlockingQueue::size)
                .description("Audit rows waiting to be written")
                .register(registry);
    }

    void start(@Observes StartupEvent event) {
        running = true;
        writer = new Thread(this::writeLoop, "audit-writer");
        writer.setDaemon(true);
        writer.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        if (writer != null) {
            writer.interrupt();
            try {
                writer.join(SHUTDOWN_DRAIN.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // A writer still in an INSERT the database does not answer (frozen, partitioned) is
            // not woken by the interrupt, and dies with the JVM: its rows and those queued behind
            // them are lost, and said so here, since the writer never gets to say it.
            if (writer.isAlive() && lossSaid.compareAndSet(false, true)) {
                LOG.warnf(
                        "Audit trail: %d entries could not be written before shutdown: the database did not"
                                + " answer within %d s",
                        appended.get() - written.get() - unstorable.get(), SHUTDOWN_DRAIN.toSeconds());
            }
        }
    }

    /** Queues an entry; never blocks the request. A full queue (database away for long) drops and counts. */
    public void append(AuditEntry entry) {
        if (queue.offer(entry)) {
            appended.incrementAndGet();
        } else if (dropped.incrementAndGet() % 1_000 == 1) {
            LOG.warnf(
                    "Audit queue full (%d entries): the database has been away; %d entries dropped so far",
                    CAPACITY, dropped.get());
        }
    }

    /** Waits (up to the timeout) until everything appended before this call is in the database. */
    public boolean flush(long timeoutMillis) {
        long target = appended.get();
        long deadline = System.currentTimeMillis() + timeoutMillis;
        synchronized (progress) {
            while (written.get() + unstorable.get() < target) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return false;
                }
                try {
                    progress.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }

    private void writeLoop() {
        List<AuditEntry> batch = new ArrayList<>();
        while (running || !queue.isEmpty() || !batch.isEmpty()) {
            try {
                if (batch.isEmpty()) {
                    AuditEntry first = queue.poll(200, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                    queue.drainTo(batch, MAX_ROWS_PER_INSERT - 1);
                }
                long started = System.nanoTime();
                write(batch);
                writes.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                settle(written, batch.size());
                batch.clear();
            } catch (InterruptedException e) {
                if (!running && queue.isEmpty() && batch.isEmpty()) {
                    return;
                }
                // Shutting down: one more pass writes what is left.
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    if (lossSaid.compareAndSet(false, true)) {
                        LOG.warnf(
                                "Audit trail: %d entries could not be written before shutdown",
                                batch.size() + queue.size());
                    }
                    return;
                }
                Throwable failure = e;
                if (refusedForItsContent(e)) {
                    // The database refused what a row holds: retrying the batch would fail the same
                    // way for ever and write nothing after it. Write its rows one by one instead.
                    try {
                        writeOneByOne(batch);
                        continue;
                    } catch (SQLException | RuntimeException again) {
                        failure = again;
                    }
                }
                // Keep what is left of the batch and try again: the database may be restarting.
                LOG.warnf("Audit trail write failed (SQLState %s); retrying", sqlState(failure));
                sleepQuietly(1_000);
            }
        }
    }

    /**
     * Writes each row of a refused batch alone, removing it from the batch once written or refused,
     * so a retry after a lost connection writes none twice. A row refused for its content is left
     * out, counted and logged without its values.
     */
    private void writeOneByOne(List<AuditEntry> batch) throws SQLException {
        for (java.util.Iterator<AuditEntry> it = batch.iterator(); it.hasNext(); ) {
            AuditEntry entry = it.next();
            try {
                write(List.of(entry));
                it.remove();
                settle(written, 1);
            } catch (SQLException e) {
                if (!refusedForItsContent(e)) {
                    throw e;
                }
                it.remove();
                settle(unstorable, 1);
                LOG.errorf(
                        "Audit trail: an entry the database refuses (SQLState %s) is left out;"
                                + " rapport_audit_rows_unstorable_total counts them",
                        sqlState(e));
            }
        }
    }

    /** Data exceptions (22) and integrity violations (23): the same row fails the same way again. */
    private static boolean refusedForItsContent(Throwable e) {
        String state = sqlState(e);
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }

    private void write(List<AuditEntry> batch) throws SQLException {
        String json;
        try {
            json = mapper.writeValueAsString(batch.stream().map(AuditTrail::row).toList());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Audit entries could not be serialised", e);
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(INSERT)) {
            ps.setString(1, json);
            ps.executeUpdate();
        }
    }

    private static java.util.Map<String, Object> row(AuditEntry e) {
        var m = new java.util.LinkedHashMap<String, Object>();
        m.put("at", e.at().toString());
        m.put("request_id", text(e.requestId(), 64));
        m.put("subject", text(e.subject(), 255));
        m.put(
                "roles",
                e.roles() == null
                        ? null
                        : e.roles().stream().map(AuditTrail::text).toList());
        m.put(
                "clinics",
                e.clinics() == null
                        ? null
                        : e.clinics().stream().map(AuditTrail::text).toList());
        m.put(
                "refused_clinics",
                e.refusedClinics() == null
                        ? null
                        : e.refusedClinics().stream().map(AuditTrail::text).toList());
        m.put("method", text(e.method(), 16));
        m.put("route", text(e.route(), 255));
        m.put("status", e.status());
        m.put("records", e.records());
        return m;
    }

    /**
     * What the request brought, made storable. PostgreSQL text cannot hold NUL (SQLState 22P05),
     * and a role name from a token's claim may carry one: it is stored as U+FFFD (the recorder
     * keeps only clinic ids that are valid ids). The method (the recorder keeps HTTP's only) and
     * the subject (any claim a token carries) are cut to their columns' widths all the same.
     * Otherwise the writer, which keeps a failed batch to retry it, would retry that batch for ever
     * and write no audit row after it.
     */
    private static String text(String s) {
        return s == null ? null : s.replace('\u0000', '\uFFFD');
    }

    private static String text(String s, int maxCharacters) {
        String t = text(s);
        if (t == null || t.codePointCount(0, t.length()) <= maxCharacters) {
            return t;
        }
        return t.substring(0, t.offsetByCodePoints(0, maxCharacters));
    }

    /** Counts rows as written or left out, and wakes whoever waits in {@link #flush}. */
    private void settle(AtomicLong counter, int count) {
        synchronized (progress) {
            counter.addAndGet(count);
            progress.notifyAll();
        }
    }

    private static String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                return sql.getSQLState();
            }
        }
        return "none";
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

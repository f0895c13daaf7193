package io.rapport.db;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.AgroalConnectionFactoryConfiguration;
import io.agroal.api.security.AgroalSecurityProvider;
import io.quarkus.runtime.ShutdownEvent;
import io.rapport.config.RapportConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Whether the database answers, known within {@code rapport.db.health-timeout} whatever it does:
 * the one check behind readiness ({@link DatabaseReadiness}) and the {@code rapport_database_ready}
 * gauge, so the two never disagree.
 *
 * <p>The probe runs on its own thread and is abandoned at the deadline; while an abandoned probe
 * is still stuck, later checks answer at once instead of piling up behind it, and a check that
 * comes while another caller's probe is under way waits for that one. It has a
 * connection of its own, made as the pool makes its connections but kept out of the pool: with
 * the pool's connections all taken by slow manager queries, a probe that waited for one reported
 * a healthy database as down, readiness took a busy instance out of the load balancer for being
 * busy, and the gauge paged the database's alert.
 */
@ApplicationScoped
public class DatabaseProbe {

    private static final Logger LOG = Logger.getLogger(DatabaseProbe.class);

    /** The outcome: {@code reason} says why the database is taken as down, null when it answered. */
    public record Check(String reason) {
        public boolean up() {
            return reason == null;
        }
    }

    private final AgroalDataSource dataSource;
    private final Duration timeout;
    private final ExecutorService probes = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "db-probe");
        t.setDaemon(true);
        return t;
    });
    private Future<?> pending;
    private long pendingDeadline;
    private volatile boolean reportedDeath;

    DatabaseProbe(AgroalDataSource dataSource, RapportConfig config) {
        this.dataSource = dataSource;
        this.timeout = config.db().healthTimeout();
    }

    public Check check() {
        Future<?> probe;
        long deadline;
        synchronized (this) {
            if (pending != null && !pending.isDone()) {
                if (System.nanoTime() - pendingDeadline > 0) {
                    // Abandoned at its deadline and still stuck: no new probe piles up behind it.
                    return down("the previous check is still waiting for the database");
                }
                // Another caller's probe is under way (readiness and the gauge share it): wait for it.
                probe = pending;
                deadline = pendingDeadline;
            } else {
                deadline = System.nanoTime() + timeout.toNanos();
                try {
                    probe = probes.submit(this::probe);
                } catch (RejectedExecutionException e) {
                    return down("shutting down");
                }
                pending = probe;
                pendingDeadline = deadline;
            }
        }
        try {
            probe.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            reportedDeath = false;
            return new Check(null);
        } catch (TimeoutException e) {
            // Not cancelled: it stays pending, so the checks after it answer at once until it ends,
            // which its network timeout sees to.
            return down("no answer within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return down("interrupted");
        } catch (Exception e) {
            if (EmbeddedDatabaseProcess.serverDied()) {
                return embeddedServerDied();
            }
            return down("unreachable");
        }
    }

    /**
     * The embedded server's process is gone, and nothing in Rapport starts it again: only a
     * restart of Rapport does (its data is kept, and PostgreSQL recovers it). Said once in the log
     * and on every check, so whoever looks knows what cures it.
     */
    private synchronized Check embeddedServerDied() {
        if (!reportedDeath) {
            reportedDeath = true;
            LOG.errorf(
                    "The embedded PostgreSQL has stopped running; Rapport cannot serve until it is"
                            + " restarted, which starts it again on the same data. The server's own log: %s",
                    EmbeddedDatabaseProcess.serverLogDir().map(Object::toString).orElse("(unknown)"));
        }
        return down("the embedded PostgreSQL is not running: restart Rapport");
    }

    /** Used on the probe thread only; null until made, and after a probe failed on it. */
    private Connection connection;

    private Void probe() throws Exception {
        boolean kept = connection != null;
        try {
            select1();
        } catch (Exception e) {
            close();
            if (!kept || timedOut(e)) {
                throw e;
            }
            // The kept connection may have died while the database did not (a reset, a restart
            // of the server): a new one says which. Not after a timeout: the server was slow, and a
            // new login would keep the probe stuck past its deadline for longer.
            select1();
        }
        return null;
    }

    private static boolean timedOut(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    private void select1() throws SQLException {
        try {
            if (connection == null) {
                connection = open();
            }
            connection.setNetworkTimeout(Runnable::run, (int) timeout.toMillis());
            try (Statement s = connection.createStatement()) {
                s.execute("SELECT 1");
            }
        } catch (SQLException e) {
            close();
            throw e;
        }
    }

    /** A connection to the pool's database with the pool's URL, settings and credentials. */
    private Connection open() throws SQLException {
        AgroalConnectionFactoryConfiguration factory =
                dataSource.getConfiguration().connectionPoolConfiguration().connectionFactoryConfiguration();
        Properties properties = new Properties();
        properties.putAll(factory.jdbcProperties());
        List<Object> secrets = new ArrayList<>(factory.credentials());
        secrets.add(0, factory.principal());
        for (Object secret : secrets) {
            for (AgroalSecurityProvider provider : factory.securityProviders()) {
                Properties p = secret == null ? null : provider.getSecurityProperties(secret);
                if (p != null) {
                    properties.putAll(p);
                    break;
                }
            }
        }
        Connection c = DriverManager.getConnection(factory.jdbcUrl(), properties);
        c.setAutoCommit(true);
        return c;
    }

    private void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // Broken already: nothing to give back.
            }
            connection = null;
        }
    }

    private static Check down(String why) {
        return new Check(why);
    }

    void onStop(@Observes ShutdownEvent event) {
        // The connection is the probe thread's: closed there, after any probe under way.
        try {
            probes.submit(this::close);
        } catch (RejectedExecutionException e) {
            // Stopped already.
        }
        probes.shutdown();
    }
}

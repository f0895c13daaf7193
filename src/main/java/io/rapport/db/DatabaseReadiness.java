package io.rapport.db;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.rapport.config.RapportConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness that answers within {@code rapport.db.health-timeout} whatever the database does.
 *
 * <p>It replaces the datasource check Quarkus ships, which waits as long as the driver does: with a
 * stalled database, {@code /q/health/ready} hung instead of reporting DOWN, so a load balancer
 * kept sending traffic. The probe runs on its own thread and is abandoned at the deadline; while
 * an abandoned probe is still stuck, later checks answer DOWN at once instead of piling up
 * threads behind it. Liveness has no database check: a stalled database is not cured by a
 * restart, and Rapport serves again by itself once the database is back.
 */
@Readiness
@ApplicationScoped
class DatabaseReadiness implements HealthCheck {

    static final String NAME = "Database";

    private final AgroalDataSource dataSource;
    private final Duration timeout;
    private final ExecutorService probes = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "db-readiness");
        t.setDaemon(true);
        return t;
    });
    private Future<?> pending;

    DatabaseReadiness(AgroalDataSource dataSource, RapportConfig config) {
        this.dataSource = dataSource;
        this.timeout = config.db().healthTimeout();
    }

    @Override
    public synchronized HealthCheckResponse call() {
        if (pending != null && !pending.isDone()) {
            return down("the previous check is still waiting for the database");
        }
        pending = probes.submit(this::probe);
        try {
            pending.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return HealthCheckResponse.named(NAME).up().build();
        } catch (TimeoutException e) {
            pending.cancel(true);
            return down("no answer within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return down("interrupted");
        } catch (Exception e) {
            return down("unreachable");
        }
    }

    private Void probe() throws Exception {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement()) {
            c.setNetworkTimeout(Runnable::run, (int) timeout.toMillis());
            s.execute("SELECT 1");
        }
        return null;
    }

    private static HealthCheckResponse down(String why) {
        return HealthCheckResponse.named(NAME).down().withData("reason", why).build();
    }

    void onStop(@Observes ShutdownEvent event) {
        probes.shutdownNow();
    }
}

package io.rapport.db;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness that answers within {@code rapport.db.health-timeout} whatever the database does
 * ({@link DatabaseProbe}).
 *
 * <p>It replaces the datasource check Quarkus ships, which waits as long as the driver does: with a
 * stalled database, {@code /q/health/ready} hung instead of reporting DOWN, so a load balancer
 * kept sending traffic. Liveness has no database check: a stalled database is not cured by a
 * restart, and Rapport serves again by itself once the database is back.
 */
@Readiness
@ApplicationScoped
class DatabaseReadiness implements HealthCheck {

    static final String NAME = "Database";

    private final DatabaseProbe probe;

    DatabaseReadiness(DatabaseProbe probe) {
        this.probe = probe;
    }

    @Override
    public HealthCheckResponse call() {
        DatabaseProbe.Check check = probe.check();
        return check.up()
                ? HealthCheckResponse.named(NAME).up().build()
                : HealthCheckResponse.named(NAME)
                        .down()
                        .withData("reason", check.reason())
                        .build();
    }
}

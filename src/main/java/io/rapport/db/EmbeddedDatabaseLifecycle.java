package io.rapport.db;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

/**
 * Stopping Rapport stops its embedded PostgreSQL (also on each dev-mode reload, which restarts it).
 * ShutdownEvent comes after the shutdown delay and after the requests in flight have finished.
 */
@ApplicationScoped
class EmbeddedDatabaseLifecycle {

    void onStart(@Observes StartupEvent event) {
        EmbeddedDatabaseProcess.stoppedByApplication();
    }

    /**
     * After every other observer of the event: the audit trail drains its last rows into the
     * database then, and observers of one priority run in no promised order, so the stop came
     * after that drain only as long as the build happened to register it second.
     */
    void onStop(@Observes @Priority(Interceptor.Priority.PLATFORM_AFTER + 1000) ShutdownEvent event) {
        EmbeddedDatabaseProcess.stop();
    }
}

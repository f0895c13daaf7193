package io.rapport.db;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Stopping Rapport stops its embedded PostgreSQL (also on each dev-mode reload, which restarts it).
 * ShutdownEvent comes after the shutdown delay and after the requests in flight have finished.
 */
@ApplicationScoped
class EmbeddedDatabaseLifecycle {

    void onStart(@Observes StartupEvent event) {
        EmbeddedDatabaseProcess.stoppedByApplication();
    }

    void onStop(@Observes ShutdownEvent event) {
        EmbeddedDatabaseProcess.stop();
    }
}

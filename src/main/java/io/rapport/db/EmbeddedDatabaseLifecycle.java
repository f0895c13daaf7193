package io.rapport.db;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** Stopping Rapport stops its embedded PostgreSQL (also on each dev-mode reload, which restarts it). */
@ApplicationScoped
class EmbeddedDatabaseLifecycle {

    void onStop(@Observes ShutdownEvent event) {
        EmbeddedDatabaseProcess.stop();
    }
}

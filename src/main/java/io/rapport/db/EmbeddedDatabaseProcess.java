package io.rapport.db;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The one embedded PostgreSQL of this class loader. A database server process is process-wide by
 * nature, so this is the single place that holds it; everything else reaches it through config.
 */
public final class EmbeddedDatabaseProcess {

    /** Longest the exit hook waits for the application's own shutdown to stop the database. */
    private static final long APPLICATION_STOP_WAIT_MILLIS = 120_000;

    // Volatile: readiness reads it without the lock, which a stop holds for as long as pg_ctl takes.
    private static volatile EmbeddedDatabase running;
    private static boolean stoppedByApplication;

    private EmbeddedDatabaseProcess() {}

    static synchronized EmbeddedDatabase startIfNeeded(EmbeddedDatabaseSettings settings) {
        if (running == null) {
            EmbeddedDatabase db = EmbeddedDatabase.start(settings);
            // A JVM stopped without a Quarkus shutdown (SIGTERM during start-up) still stops postgres.
            try {
                Runtime.getRuntime()
                        .addShutdownHook(new Thread(EmbeddedDatabaseProcess::stopAtExit, "embedded-pg-stop"));
            } catch (IllegalStateException shuttingDown) {
                // The SIGTERM came while the server started, and the JVM takes no more hooks: no
                // hook would stop this server, which outlived the JVM. Stop it now.
                db.close();
                throw shuttingDown;
            }
            running = db;
        }
        return running;
    }

    /** From now on the application's shutdown stops the database, after its last request. */
    static synchronized void stoppedByApplication() {
        stoppedByApplication = true;
    }

    /** Whether an embedded server was started here and its process has since died. */
    static boolean serverDied() {
        EmbeddedDatabase db = running;
        return db != null && !db.serverRunning();
    }

    /** Where the embedded server writes its messages, if one was started here. */
    static Optional<Path> serverLogDir() {
        EmbeddedDatabase db = running;
        return db == null ? Optional.empty() : Optional.of(db.serverLogDir());
    }

    /** Stops the embedded server if one runs; harmless otherwise. */
    public static synchronized void stop() {
        if (running != null) {
            running.close();
            running = null;
        }
        EmbeddedDatabaseProcess.class.notifyAll();
    }

    /**
     * SIGTERM starts every shutdown hook at once: this one and the application's, which first
     * waits out the shutdown delay and the requests in flight. Stopping the database here at once
     * pulled it from under those requests, so while the application is up this waits for the
     * application to stop it, and stops it only if that does not happen in time.
     */
    private static synchronized void stopAtExit() {
        long deadline = System.currentTimeMillis() + APPLICATION_STOP_WAIT_MILLIS;
        while (stoppedByApplication && running != null) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                break;
            }
            try {
                EmbeddedDatabaseProcess.class.wait(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        stop();
    }
}

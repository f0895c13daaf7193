package io.rapport.db;

/**
 * The one embedded PostgreSQL of this class loader. A database server process is process-wide by
 * nature, so this is the single place that holds it; everything else reaches it through config.
 */
public final class EmbeddedDatabaseProcess {

    private static EmbeddedDatabase running;

    private EmbeddedDatabaseProcess() {}

    static synchronized EmbeddedDatabase startIfNeeded(EmbeddedDatabaseSettings settings) {
        if (running == null) {
            EmbeddedDatabase db = EmbeddedDatabase.start(settings);
            // A JVM stopped without a Quarkus shutdown (SIGTERM during start-up) still stops postgres.
            Runtime.getRuntime().addShutdownHook(new Thread(EmbeddedDatabaseProcess::stop, "embedded-pg-stop"));
            running = db;
        }
        return running;
    }

    /** Stops the embedded server if one runs; harmless otherwise. */
    public static synchronized void stop() {
        if (running != null) {
            running.close();
            running = null;
        }
    }
}

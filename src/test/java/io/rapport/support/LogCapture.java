package io.rapport.support;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The ERROR records the service logs in this JVM (the test's own Quarkus) from now until closed;
 * Quarkus routes its logging through java.util.logging's root logger.
 */
public final class LogCapture extends Handler implements AutoCloseable {

    private final List<LogRecord> errors = new ArrayList<>();

    private LogCapture() {}

    public static LogCapture errors() {
        LogCapture capture = new LogCapture();
        Logger.getLogger("").addHandler(capture);
        return capture;
    }

    @Override
    public synchronized void publish(LogRecord r) {
        if (r.getLevel().intValue() >= Level.SEVERE.intValue()) {
            errors.add(r);
        }
    }

    /** The messages of the ERROR records so far. */
    public synchronized List<String> messages() {
        return errors.stream().map(LogRecord::getMessage).toList();
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(this);
    }
}

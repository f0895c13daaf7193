package io.rapport.support;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The records the service logs in this JVM (the test's own Quarkus) from now until closed, at a
 * level and above; Quarkus routes its logging through java.util.logging's root logger.
 */
public final class LogCapture extends Handler implements AutoCloseable {

    private final List<LogRecord> records = new ArrayList<>();
    private final Level least;

    private LogCapture(Level least) {
        this.least = least;
    }

    /** ERROR records. */
    public static LogCapture errors() {
        return atLeast(Level.SEVERE);
    }

    /** Records at {@code least} and above (WARNING for WARN, INFO). */
    public static LogCapture atLeast(Level least) {
        LogCapture capture = new LogCapture(least);
        Logger.getLogger("").addHandler(capture);
        return capture;
    }

    @Override
    public synchronized void publish(LogRecord r) {
        if (r.getLevel().intValue() >= least.intValue()) {
            records.add(r);
        }
    }

    /** The messages of the records so far, as their format strings. */
    public synchronized List<String> messages() {
        return records.stream().map(LogRecord::getMessage).toList();
    }

    /**
     * Each record so far as one line: its format string, then each of its parameters, so that a
     * search for a text finds it wherever the format would have put it.
     */
    public synchronized List<String> lines() {
        List<String> out = new ArrayList<>();
        for (LogRecord r : records) {
            StringBuilder line = new StringBuilder(String.valueOf(r.getMessage()));
            if (r.getParameters() != null) {
                for (Object p : r.getParameters()) {
                    line.append(' ').append(p);
                }
            }
            out.add(line.toString());
        }
        return out;
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(this);
    }
}

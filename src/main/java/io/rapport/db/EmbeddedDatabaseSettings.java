package io.rapport.db;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What the embedded PostgreSQL needs to start, read from configuration before CDI exists.
 *
 * @param dataDir where the cluster lives; {@code null} means a temporary directory removed on stop
 * @param port 0 for a free port
 * @param durable fsync and synchronous_commit on (the embedded defaults turn both off)
 * @param startTimeout how long a start may take while the server runs (recovery after a crash
 *     replays the WAL written since the last checkpoint first)
 */
record EmbeddedDatabaseSettings(Path dataDir, int port, boolean durable, Duration startTimeout) {

    /** A crash recovery replays up to max_wal_size (1 GB) of WAL: minutes on a slow disk. */
    static final Duration DEFAULT_START_TIMEOUT = Duration.ofMinutes(10);

    EmbeddedDatabaseSettings(Path dataDir, int port, boolean durable) {
        this(dataDir, port, durable, DEFAULT_START_TIMEOUT);
    }
}

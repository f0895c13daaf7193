package io.rapport.db;

import java.nio.file.Path;

/**
 * What the embedded PostgreSQL needs to start, read from configuration before CDI exists.
 *
 * @param dataDir where the cluster lives; {@code null} means a temporary directory removed on stop
 * @param port 0 for a free port
 * @param durable fsync and synchronous_commit on (the embedded defaults turn both off)
 */
record EmbeddedDatabaseSettings(Path dataDir, int port, boolean durable) {}

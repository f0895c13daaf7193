package io.rapport.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.TextStyle;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * One embedded PostgreSQL server process. Started lazily by {@link EmbeddedDatabaseConfigSource}
 * the first time the datasource URL is asked for, and stopped with the application.
 */
public final class EmbeddedDatabase implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EmbeddedDatabase.class);
    private static final Duration ORPHAN_STOP_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Server settings every embedded PostgreSQL of Rapport's needs, the suite's throwaway one
     * included: alert evaluation holds up to 128 advisory locks per clinic in a batch (V8).
     */
    public static final Map<String, String> SERVER_SETTINGS =
            Map.of("max_connections", "100", "max_locks_per_transaction", "256");

    /**
     * The locale options of initdb, which makes a new cluster (an existing data directory keeps the
     * locale it was made with). Left out, initdb took the environment's: a cluster made where LANG
     * was en_US.UTF-8 sorted ids one way and one made in the container another, and a glibc upgrade
     * can reorder a libc collation under the indexes built with it. Byte order (locale C) is the
     * same everywhere and for ever. With an ICU locale, text sorts by that instead: the test suite's
     * database sorts by English, so a query that leans on the database's collation, which an
     * external PostgreSQL may set to anything, fails its test rather than passing by luck.
     */
    public static Map<String, String> initdbLocale(String icuLocale) {
        return icuLocale == null
                ? Map.of("locale", "C")
                : Map.of("locale", "C", "locale-provider", "icu", "icu-locale", icuLocale);
    }

    /** Where the server's messages go, relative to its data directory. */
    static final String SERVER_LOG_DIR = "log";

    private static final Map<String, String> SERVER_LOG_SETTINGS = Map.of(
            "logging_collector", "on",
            "log_directory", SERVER_LOG_DIR,
            "log_filename", "postgresql-%a.log",
            "log_timezone", "UTC",
            "log_rotation_age", "1d",
            "log_rotation_size", "0",
            "log_truncate_on_rotation", "on");

    /** How many of the server's last log lines a failed start repeats in Rapport's own error. */
    private static final int LOG_LINES_ON_FAILURE = 20;

    /** The file the library locks in the data directory while its server runs. */
    private static final String LIBRARY_LOCK_FILE = "epg-lock";

    private final EmbeddedPostgres postgres;
    private final Path dataDir;
    private final boolean temporary;

    private EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDir, boolean temporary) {
        this.postgres = postgres;
        this.dataDir = dataDir;
        this.temporary = temporary;
    }

    static EmbeddedDatabase start(EmbeddedDatabaseSettings settings) {
        try {
            boolean temporary = settings.dataDir() == null;
            Path dir = temporary
                    ? Files.createTempDirectory("rapport-pg-")
                    : settings.dataDir().toAbsolutePath().normalize();
            Files.createDirectories(dir);
            // One name for one directory: reached through a link, a server left running there was
            // not recognised as this directory's (clearStaleServer compares command lines), and its
            // pid file was removed under it.
            dir = dir.toRealPath();
            clearStaleServer(dir);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dir)
                    .setCleanDataDirectory(temporary)
                    .setPGStartupWait(settings.startTimeout())
                    // The library's own exit hook stopped PostgreSQL the moment SIGTERM arrived, under
                    // the requests still in flight; EmbeddedDatabaseProcess stops it after them.
                    .setRegisterShutdownHook(false);
            SERVER_SETTINGS.forEach(builder::setServerConfig);
            initdbLocale(null).forEach(builder::setLocaleConfig);
            // The library reads the server's messages through the pipe of the pg_ctl it starts, and
            // the JDK closes that pipe as soon as pg_ctl exits: every message after startup (errors,
            // checkpoints, a crash, a full disk, the stop) went into a closed pipe and was lost.
            // PostgreSQL's own collector writes them to files in the data directory instead: one
            // per weekday (UTC), emptied when its day comes round again while the server runs, and
            // at a start by clearOldServerLogs, so a week is kept.
            SERVER_LOG_SETTINGS.forEach(builder::setServerConfig);
            clearOldServerLogs(dir.resolve(SERVER_LOG_DIR), Instant.now());
            if (settings.port() > 0) {
                refuseATakenPort(settings.port());
                builder.setPort(settings.port());
            }
            if (settings.durable()) {
                // The builder's defaults are for throwaway test clusters: -F (fsync off) and
                // synchronous_commit=off can lose acknowledged visits on a crash.
                builder.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on");
            }
            EmbeddedPostgres postgres = startWatched(builder, dir, settings.startTimeout());
            EmbeddedDatabase db = new EmbeddedDatabase(postgres, dir, temporary);
            LOG.infof(
                    "Embedded PostgreSQL started on port %d with data in %s%s, %s; its own log is in %s. "
                            + "To use an external PostgreSQL instead, set QUARKUS_DATASOURCE_JDBC_URL "
                            + "(and QUARKUS_DATASOURCE_USERNAME, QUARKUS_DATASOURCE_PASSWORD).",
                    postgres.getPort(),
                    dir,
                    temporary ? " (temporary, removed on stop)" : "",
                    settings.durable() ? "durable (fsync on)" : "NOT durable (fsync off, for tests only)",
                    db.serverLogDir());
            return db;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL: " + e.getMessage(), e);
        }
    }

    /**
     * How often a start looks at the server it waits for: often enough to see the pg_ctl that
     * starts it, which exits within a moment when the server cannot start at all.
     */
    private static final Duration START_POLL = Duration.ofMillis(50);

    /** How often a start says it still waits. */
    private static final Duration START_NOTE_EVERY = Duration.ofSeconds(30);

    /**
     * How long after pg_ctl was launched a start waits for a server process to appear at all, as the
     * library did: one that cannot read its configuration exits before it writes anything. Counted
     * from pg_ctl, not from the start, so a slow first unpacking of the binaries or initdb is never
     * cut short (initdb stopped midway leaves a directory no later start can use).
     */
    static final Duration NEVER_STARTED_WAIT = Duration.ofMinutes(1);

    /** The file the postmaster writes with its command line once it has read its configuration. */
    private static final String OPTS_FILE = "postmaster.opts";

    /**
     * Starts the server and waits for it while it runs, up to {@code timeout}. The library's fixed
     * wait (it was a minute) ended a start whose server was still replaying the WAL after a crash;
     * the server went on, the next start stopped it as a killed run's orphan and began the
     * recovery again, so a recovery longer than the wait never finished. A server that exits while
     * starting (a failed recovery) is reported at once rather than after the whole wait, and a
     * start that fails stops the server it started instead of leaving it running.
     */
    private static EmbeddedPostgres startWatched(EmbeddedPostgres.Builder builder, Path dir, Duration timeout)
            throws IOException {
        // Written afresh by this start's postmaster: its presence says the server got that far.
        Files.deleteIfExists(dir.resolve(OPTS_FILE));
        CompletableFuture<EmbeddedPostgres> started = new CompletableFuture<>();
        Thread starter = new Thread(
                () -> {
                    try {
                        started.complete(builder.start());
                    } catch (Throwable e) {
                        started.completeExceptionally(e);
                    }
                },
                "embedded-pg-start");
        // The library's readiness login has no timeout: against a frozen server it never returns.
        starter.setDaemon(true);
        starter.start();
        StartWatch watch = new StartWatch(dir, timeout);
        Instant nextNote = watch.begun.plus(START_NOTE_EVERY);
        while (true) {
            String failure;
            try {
                return started.get(START_POLL.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                failure = e.getCause().getMessage();
            } catch (TimeoutException e) {
                failure = watch.whyGiveUp();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = "interrupted while it started";
            }
            if (failure != null) {
                // Only ever past initdb (every reason to give up comes after it), so nothing
                // half made is left behind; the interrupt ends the library's readiness wait.
                starter.interrupt();
                stopServerOf(dir);
                // Why the server did not start (a failed recovery, a bad setting) is in its own
                // log by now, not in the library's message.
                throw new IllegalStateException("Could not start the embedded PostgreSQL: " + failure
                        + ". The end of its log (" + dir.resolve(SERVER_LOG_DIR) + "):\n"
                        + serverLogTail(dir.resolve(SERVER_LOG_DIR)));
            }
            if (Instant.now().isAfter(nextNote)) {
                LOG.infof(
                        "Embedded PostgreSQL is still starting after %d s (after a crash it replays its WAL"
                                + " first); waiting up to %s (rapport.embedded-db.start-timeout). Its log: %s",
                        Duration.between(watch.begun, Instant.now()).toSeconds(), timeout, dir.resolve(SERVER_LOG_DIR));
                nextNote = nextNote.plus(START_NOTE_EVERY);
            }
        }
    }

    /** What a start has seen of its server so far. */
    private static final class StartWatch {

        final Path dir;
        final Duration timeout;
        final Instant begun = Instant.now();
        private boolean serverSeen;
        private Instant pgCtlSeen;

        StartWatch(Path dir, Duration timeout) {
            this.dir = dir;
            this.timeout = timeout;
        }

        /** Why the start should end now, or null to go on waiting. */
        String whyGiveUp() {
            Instant now = Instant.now();
            if (postmasterOf(dir).isPresent()) {
                serverSeen = true;
                // The library gives up at the timeout itself; this is for a readiness login that hangs.
                return Duration.between(begun, now).compareTo(timeout.plus(Duration.ofSeconds(10))) > 0
                        ? "it did not become ready within " + timeout
                        : null;
            }
            if (serverSeen || Files.exists(dir.resolve(OPTS_FILE))) {
                // It ran (its pid file or options file says so), and is gone: it exited.
                return "it exited while starting";
            }
            if (pgCtlSeen == null && pgCtlRunning()) {
                pgCtlSeen = now;
            }
            return pgCtlSeen != null && Duration.between(pgCtlSeen, now).compareTo(NEVER_STARTED_WAIT) > 0
                    ? "no server process appeared within " + NEVER_STARTED_WAIT.toSeconds() + " s of pg_ctl starting it"
                    : null;
        }

        private static boolean pgCtlRunning() {
            return ProcessHandle.current()
                    .descendants()
                    .anyMatch(p -> p.info()
                            .command()
                            .map(c -> c.endsWith("/pg_ctl") || c.endsWith("\\pg_ctl.exe"))
                            .orElse(false));
        }
    }

    /**
     * Stops, at once and with every process of it, a server this start began and gave up on: it
     * serves nothing yet, and a recovery it was in the middle of starts over as safely next time.
     */
    private static void stopServerOf(Path dir) {
        // Only while this process holds the library's lock on the directory: a start refused
        // because another Rapport holds it must not kill that one's server.
        try {
            if (libraryLockHolder(dir) == LockHolder.THIS_PROCESS) {
                postmasterOf(dir).ifPresent(postmaster -> kill(postmaster, "of a failed start"));
            }
        } catch (IOException e) {
            // Whose server it is cannot be told: left to the next start, which stops an orphan.
        }
    }

    /**
     * Kills a postmaster and every process forked from it: its backends outlive a killed
     * postmaster and keep the shared memory a new server needs, which then refuses to start for as
     * long as they are there.
     */
    private static void kill(ProcessHandle postmaster, String whose) {
        List<ProcessHandle> server = new ArrayList<>(postmaster.descendants().toList());
        server.add(postmaster);
        server.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : server) {
            try {
                p.onExit().get(ORPHAN_STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (Exception stillThere) {
                LOG.warnf("PostgreSQL process %d %s did not exit", p.pid(), whose);
            }
        }
    }

    /**
     * The library waits a minute for a server to answer on the port, and takes whichever does: with
     * the port held by another embedded PostgreSQL, Rapport migrated and wrote into that one.
     */
    private static void refuseATakenPort(int port) {
        try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            // Free: PostgreSQL binds it next.
        } catch (IOException e) {
            throw new IllegalStateException("Could not start the embedded PostgreSQL: its port " + port
                    + " (rapport.embedded-db.port, RAPPORT_EMBEDDED_DB_PORT) is taken by another process: "
                    + e.getMessage());
        }
    }

    /**
     * The collector empties a weekday's file only when that day begins while the server runs; one
     * started on a later week's same weekday would append to it, and a server stopped every
     * evening would keep every week. So at a start, a file last written before today began (UTC)
     * and named for today, or last written a week ago or more, is removed.
     */
    static void clearOldServerLogs(Path logDir, Instant now) throws IOException {
        if (!Files.isDirectory(logDir)) {
            return;
        }
        Instant todayBegan = now.truncatedTo(ChronoUnit.DAYS);
        String today = "postgresql-"
                + now.atZone(ZoneOffset.UTC).getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ROOT) + ".log";
        try (Stream<Path> files = Files.list(logDir)) {
            for (Path f : files.toList()) {
                Instant written = Files.getLastModifiedTime(f).toInstant();
                boolean earlierToday = f.getFileName().toString().equals(today) && written.isBefore(todayBegan);
                if (earlierToday || written.isBefore(todayBegan.minus(6, ChronoUnit.DAYS))) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    /** The last lines of the newest file in the server's log folder, or why there are none. */
    static String serverLogTail(Path logDir) {
        try (Stream<Path> files = Files.list(logDir)) {
            Optional<Path> newest =
                    files.max(Comparator.comparing(f -> f.toFile().lastModified()));
            if (newest.isEmpty()) {
                return "(no log file)";
            }
            List<String> lines = Files.readAllLines(newest.get(), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_LINES_ON_FAILURE), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /**
     * A run that was killed leaves postmaster.pid behind, and possibly its postgres still running
     * (the JVM died, its child did not). Stop such an orphan and remove a stale pid file, so the
     * next start is not refused.
     */
    static void clearStaleServer(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        refuseADirectoryInUse(dataDir);
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        Optional<ProcessHandle> owner = lines.isEmpty()
                ? Optional.empty()
                : parsePid(lines.get(0)).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive);
        if (owner.isPresent() && isPostgresFor(owner.get(), dataDir)) {
            LOG.warnf("Stopping a PostgreSQL left running on %s by an earlier run", dataDir);
            ProcessHandle orphan = owner.get();
            orphan.destroy();
            try {
                orphan.onExit().get(ORPHAN_STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (Exception e) {
                // Still there: frozen (a stalled disk) or hung.
                kill(orphan, "left by an earlier run");
            }
        } else if (owner.isPresent()) {
            // The pid was reused by an unrelated process: the file is stale all the same.
            LOG.warnf("Removing a stale postmaster.pid in %s", dataDir);
        } else {
            LOG.warnf("Removing a stale postmaster.pid left by an earlier run in %s", dataDir);
        }
        Files.deleteIfExists(pidFile);
    }

    /**
     * A server running on the directory is an orphan only when no Rapport holds it. The library
     * locks {@code epg-lock} in the data directory for as long as its server runs, and the system
     * drops that lock when the holder dies, however it dies. A second Rapport started on the same
     * directory took the first one's running server for an orphan and stopped it, leaving the first
     * one without a database; it is now refused before it touches anything.
     */
    private static void refuseADirectoryInUse(Path dataDir) throws IOException {
        if (libraryLockHolder(dataDir) != LockHolder.NOBODY) {
            throw new IllegalStateException("Could not start the embedded PostgreSQL: its data directory " + dataDir
                    + " is in use by another Rapport, which runs a PostgreSQL there. Stop that one first, or"
                    + " give this one a directory of its own (rapport.embedded-db.data-dir,"
                    + " RAPPORT_EMBEDDED_DB_DATA_DIR). Nothing was changed.");
        }
    }

    /** Who holds the library's lock on a data directory, the sign that a server of theirs runs there. */
    private enum LockHolder {
        NOBODY,
        /** Another embedded server of this process, or the one a failing start of it began. */
        THIS_PROCESS,
        ANOTHER_PROCESS
    }

    private static LockHolder libraryLockHolder(Path dataDir) throws IOException {
        try (FileChannel lock = FileChannel.open(
                dataDir.resolve(LIBRARY_LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock held = lock.tryLock();
            if (held == null) {
                return LockHolder.ANOTHER_PROCESS;
            }
            held.release();
            return LockHolder.NOBODY;
        } catch (OverlappingFileLockException e) {
            return LockHolder.THIS_PROCESS;
        }
    }

    private static Optional<Long> parsePid(String line) {
        try {
            return Optional.of(Long.parseLong(line.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static boolean isPostgresFor(ProcessHandle process, Path dataDir) {
        return process.info()
                .commandLine()
                .map(cmd -> cmd.contains("postgres") && cmd.contains(dataDir.toString()))
                .orElse(false);
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
    }

    public int port() {
        return postgres.getPort();
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Where the server writes its messages: errors, checkpoints, why it stopped. */
    public Path serverLogDir() {
        return dataDir.resolve(SERVER_LOG_DIR);
    }

    /**
     * Whether the server process still runs: the one its postmaster.pid names is alive and is a
     * postgres on this data directory. Nothing starts it again if it dies (killed, out of memory).
     */
    public boolean serverRunning() {
        return postmasterOf(dataDir).isPresent();
    }

    /** The live postmaster its postmaster.pid names, when that is a postgres on this directory. */
    private static Optional<ProcessHandle> postmasterOf(Path dataDir) {
        try {
            List<String> lines = Files.readAllLines(dataDir.resolve("postmaster.pid"), StandardCharsets.UTF_8);
            return lines.isEmpty()
                    ? Optional.empty()
                    : parsePid(lines.get(0))
                            .flatMap(ProcessHandle::of)
                            .filter(ProcessHandle::isAlive)
                            // Where the system does not tell a process's command line, alive is enough.
                            .filter(p -> p.info().commandLine().isEmpty() || isPostgresFor(p, dataDir));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** How long a stop may take past pg_ctl's own 5 s before Rapport exits without it. */
    static final Duration STOP_WAIT = Duration.ofSeconds(15);

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            LOG.warnf("Embedded PostgreSQL did not stop cleanly: %s", e.getMessage());
        }
        // The library logs a failed stop (a frozen server does not answer pg_ctl) and goes on. Its
        // pg_ctl waits 5 s; a shutdown checkpoint after heavy ingest on a slow disk can take longer,
        // and the server finishes it on its own: exiting under it left the container or service
        // manager to kill it mid-checkpoint, and the next start to recover.
        if (serverRunning()) {
            LOG.infof(
                    "Embedded PostgreSQL is still stopping (a long checkpoint?); waiting up to %d s for it",
                    STOP_WAIT.toSeconds());
            Instant deadline = Instant.now().plus(STOP_WAIT);
            while (serverRunning() && Instant.now().isBefore(deadline)) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        if (serverRunning()) {
            LOG.warnf("Embedded PostgreSQL did not stop: it still runs on %s; the next start stops it", dataDir);
        } else {
            LOG.infof("Embedded PostgreSQL stopped%s", temporary ? " and its data removed" : "");
        }
    }
}

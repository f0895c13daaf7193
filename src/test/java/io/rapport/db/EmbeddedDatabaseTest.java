package io.rapport.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rapport.support.ServerLog;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded server on its own (no Quarkus): durable settings, data kept across restarts, and a
 * crashed run's postmaster.pid not blocking the next start.
 */
class EmbeddedDatabaseTest {

    @TempDir
    Path dir;

    @Test
    void keepsDataAcrossRestartsRunsDurableAndSurvivesAStalePidFile() throws Exception {
        Path data = dir.resolve("pg");
        var settings = new EmbeddedDatabaseSettings(data, 0, true);

        try (EmbeddedDatabase first = EmbeddedDatabase.start(settings)) {
            assertThat(first.dataDir()).isEqualTo(data.toAbsolutePath());
            try (Connection c = connect(first);
                    Statement s = c.createStatement()) {
                assertThat(show(s, "fsync")).isEqualTo("on");
                assertThat(show(s, "synchronous_commit")).isEqualTo("on");
                s.execute("CREATE TABLE kept (n int)");
                s.execute("INSERT INTO kept VALUES (42)");
            }
        }

        // What a killed run leaves behind: a pid file naming a process that no longer exists.
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.writeString(data.resolve("postmaster.pid"), gone.pid() + "\n" + data + "\n");

        try (EmbeddedDatabase second = EmbeddedDatabase.start(settings);
                Connection c = connect(second);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT n FROM kept")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(42);
        }
    }

    /**
     * A second start on a directory whose server a running Rapport holds is refused before it
     * touches anything: it used to take that server for a killed run's orphan and stop it, under
     * the running Rapport. (Here both are in one JVM; across processes the library's lock is held
     * the same way, and the packaged jar was checked by hand.) A directory reached through a link
     * is the same directory.
     */
    @Test
    void aDirectoryInUseIsRefusedAndItsServerKeepsRunning() throws Exception {
        Path data = dir.resolve("pg");
        var settings = new EmbeddedDatabaseSettings(data, 0, false);
        Path link = Files.createSymbolicLink(dir.resolve("link"), data.getFileName());
        try (EmbeddedDatabase running = EmbeddedDatabase.start(settings)) {
            for (Path same : List.of(data, link)) {
                assertThatThrownBy(() -> EmbeddedDatabase.start(new EmbeddedDatabaseSettings(same, 0, false)))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("in use by another Rapport")
                        .hasMessageContaining("RAPPORT_EMBEDDED_DB_DATA_DIR");
            }
            assertThat(running.serverRunning()).isTrue();
            try (Connection c = connect(running);
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
            }
            assertThat(data.resolve("postmaster.pid")).exists();
        }
    }

    /** A server that died is known as such, so readiness can say that only a restart cures it. */
    @Test
    void knowsWhenItsServerProcessHasDied() throws Exception {
        try (EmbeddedDatabase db = EmbeddedDatabase.start(new EmbeddedDatabaseSettings(null, 0, false))) {
            assertThat(db.serverRunning()).isTrue();
            long pid = Long.parseLong(Files.readAllLines(db.dataDir().resolve("postmaster.pid"))
                    .get(0)
                    .trim());
            ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
            postmaster.destroyForcibly();
            postmaster.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(db.serverRunning()).isFalse();
        }
    }

    /**
     * A new cluster sorts text byte by byte (locale C) whatever the environment's locale, so ids
     * sort the same on every machine. By hand: "B" is 0x42, "a" 0x61, "b" 0x62.
     */
    @Test
    void aNewClusterSortsTextByteByByte() throws Exception {
        try (EmbeddedDatabase db = EmbeddedDatabase.start(new EmbeddedDatabaseSettings(null, 0, false));
                Connection c = connect(db);
                Statement s = c.createStatement()) {
            assertThat(one(
                            s,
                            "SELECT datcollate || ' ' || datlocprovider::text FROM pg_database"
                                    + " WHERE datname = current_database()"))
                    .isEqualTo("C c");
            assertThat(one(s, "SELECT string_agg(x, ' ' ORDER BY x) FROM (VALUES ('a'), ('B'), ('b')) v(x)"))
                    .isEqualTo("B a b");
        }
    }

    /**
     * A server that exits while it starts is reported at once, with the reason from its own log,
     * not after the whole start wait (here ten minutes, the default). Deleting the WAL of a stopped
     * cluster leaves it no checkpoint to start from: its recovery fails at once.
     */
    @Test
    void aServerThatExitsWhileStartingIsReportedAtOnceWithItsReason() throws Exception {
        Path data = dir.resolve("pg");
        try (EmbeddedDatabase db = EmbeddedDatabase.start(new EmbeddedDatabaseSettings(data, 0, true))) {
            assertThat(db.serverRunning()).isTrue();
        }
        try (Stream<Path> wal = Files.list(data.resolve("pg_wal"))) {
            for (Path segment : wal.filter(Files::isRegularFile).toList()) {
                Files.delete(segment);
            }
        }
        assertThatThrownBy(() -> EmbeddedDatabase.start(new EmbeddedDatabaseSettings(data, 0, true)))
                .hasMessageContaining("it exited while starting")
                .hasMessageContaining("could not locate a valid checkpoint record");
        assertThat(postgresOn(data)).isEmpty();
    }

    /**
     * A start that gives up stops the server it began: left running, it held the data directory
     * and the port until the next start stopped it as an orphan. A server that refuses every login
     * never passes the library's readiness check, so the start times out.
     */
    @Test
    void aStartThatTimesOutStopsTheServerItBegan() throws Exception {
        Path data = dir.resolve("pg");
        try (EmbeddedDatabase db = EmbeddedDatabase.start(new EmbeddedDatabaseSettings(data, 0, false))) {
            assertThat(db.serverRunning()).isTrue();
        }
        Files.writeString(data.resolve("pg_hba.conf"), "host all all 0.0.0.0/0 reject\nhost all all ::/0 reject\n");
        assertThatThrownBy(() ->
                        EmbeddedDatabase.start(new EmbeddedDatabaseSettings(data, 0, false, Duration.ofSeconds(3))))
                .hasMessageContaining("Could not start the embedded PostgreSQL");
        assertThat(postgresOn(data)).isEmpty();
    }

    /**
     * Every process whose command line names the data directory (a postmaster started on it, or
     * the pg_ctl that started it), once those on their way out have had a few seconds to go.
     */
    private static List<ProcessHandle> postgresOn(Path data) throws InterruptedException {
        String path = data.toAbsolutePath().toString();
        List<ProcessHandle> left = List.of();
        for (int tries = 0; tries < 50; tries++) {
            left = ProcessHandle.allProcesses()
                    .filter(ProcessHandle::isAlive)
                    .filter(p ->
                            p.info().commandLine().map(c -> c.contains(path)).orElse(false))
                    .toList();
            if (left.isEmpty()) {
                break;
            }
            Thread.sleep(200);
        }
        return left;
    }

    @Test
    void aTemporaryClusterIsRemovedOnStop() throws Exception {
        Path data;
        try (EmbeddedDatabase db = EmbeddedDatabase.start(new EmbeddedDatabaseSettings(null, 0, false))) {
            data = db.dataDir();
            assertThat(data.resolve("PG_VERSION")).exists();
            try (Connection c = connect(db);
                    Statement s = c.createStatement()) {
                assertThat(show(s, "server_version")).startsWith("17.");
            }
        }
        assertThat(data).doesNotExist();
    }

    /**
     * The server's messages are kept for as long as it runs, after a restart on the same data
     * directory too, not only while it starts: they went through the pipe of the pg_ctl that
     * started it, which the JDK closes once pg_ctl exits.
     */
    @Test
    void keepsTheServersMessagesWhileItRunsAndAfterARestart() throws Exception {
        var settings = new EmbeddedDatabaseSettings(dir.resolve("pg"), 0, true);
        Path logDir = null;
        for (String run : List.of("first", "second")) {
            try (EmbeddedDatabase db = EmbeddedDatabase.start(settings);
                    Connection c = connect(db);
                    Statement s = c.createStatement()) {
                logDir = db.serverLogDir();
                assertThatThrownBy(() -> s.execute("SELECT " + run + "_run_column"))
                        .isInstanceOf(SQLException.class);
            }
        }
        assertThat(ServerLog.read(logDir))
                .contains("column \"first_run_column\" does not exist")
                .contains("column \"second_run_column\" does not exist")
                // The stop, the very last thing the server says, long after startup's pg_ctl exited.
                .contains("database system is shut down");
    }

    /** Not after a minute's wait, and never into another server that answers on the port. */
    @Test
    void aTakenPortIsRefusedAtOnce() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertThatThrownBy(
                            () -> EmbeddedDatabase.start(new EmbeddedDatabaseSettings(dir.resolve("pg"), port, false)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("its port " + port)
                    .hasMessageContaining("taken by another process");
        }
    }

    /**
     * Tuesday 2026-12-01: last week's Tuesday file goes (the collector would append to it), as does
     * anything written before the 25th; this week's files stay.
     */
    @Test
    void aStartClearsTheServersLogsOfEarlierWeeks() throws Exception {
        Path logDir = Files.createDirectories(dir.resolve("log"));
        Map<String, String> written = Map.of(
                "postgresql-Tue.log", "2026-11-24T12:00:00Z",
                "postgresql-Wed.log", "2026-11-25T00:30:00Z",
                "postgresql-Mon.log", "2026-11-30T23:00:00Z",
                "postgresql-Thu.log", "2026-11-19T12:00:00Z",
                "postgresql-Fri.log", "2026-11-24T23:59:00Z");
        for (var e : written.entrySet()) {
            Path f = Files.writeString(logDir.resolve(e.getKey()), "x\n");
            Files.setLastModifiedTime(f, FileTime.from(Instant.parse(e.getValue())));
        }
        EmbeddedDatabase.clearOldServerLogs(logDir, Instant.parse("2026-12-01T10:00:00Z"));
        try (Stream<Path> left = Files.list(logDir)) {
            assertThat(left.map(f -> f.getFileName().toString()))
                    .containsExactlyInAnyOrder("postgresql-Wed.log", "postgresql-Mon.log");
        }
        // Written today, it stays.
        Path today = Files.writeString(logDir.resolve("postgresql-Tue.log"), "x\n");
        Files.setLastModifiedTime(today, FileTime.from(Instant.parse("2026-12-01T00:10:00Z")));
        EmbeddedDatabase.clearOldServerLogs(logDir, Instant.parse("2026-12-01T10:00:00Z"));
        assertThat(today).exists();
    }

    /** What a failed start repeats: the newest file's last 20 lines. */
    @Test
    void aFailedStartRepeatsTheEndOfTheServersNewestLog() throws Exception {
        Path logDir = Files.createDirectories(dir.resolve("log"));
        Path older = Files.writeString(logDir.resolve("postgresql-Mon.log"), "old\n");
        Files.setLastModifiedTime(older, FileTime.from(Instant.parse("2026-11-30T12:00:00Z")));
        StringBuilder lines = new StringBuilder();
        for (int i = 1; i <= 25; i++) {
            lines.append("line ").append(i).append('\n');
        }
        Path newest = Files.writeString(logDir.resolve("postgresql-Tue.log"), lines);
        Files.setLastModifiedTime(newest, FileTime.from(Instant.parse("2026-12-01T12:00:00Z")));
        String tail = EmbeddedDatabase.serverLogTail(logDir);
        assertThat(tail.split("\n")).hasSize(20).startsWith("line 6").endsWith("line 25");
        assertThat(EmbeddedDatabase.serverLogTail(dir.resolve("none"))).startsWith("(no log");
    }

    private static Connection connect(EmbeddedDatabase db) throws Exception {
        return DriverManager.getConnection(db.jdbcUrl(), "postgres", "postgres");
    }

    private static String one(Statement s, String query) throws Exception {
        try (ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String show(Statement s, String setting) throws Exception {
        return one(s, "SHOW " + setting);
    }
}

package io.rapport.support;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.rapport.db.EmbeddedDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The test run's PostgreSQL, reached by Rapport only through a {@link FaultProxy}, so that tests
 * can freeze, stop and restart the database and break the connection between them.
 *
 * <p>Every {@code @QuarkusTest} shares one Quarkus start, so the proxy has to be in the datasource
 * URL before Quarkus starts: a test resource is started first and its properties win over the
 * embedded database's. That is why this class starts the PostgreSQL itself (with the same
 * throwaway settings as Rapport's test profile) instead of letting {@code io.rapport.db} start it:
 * the proxy needs the database's port, Rapport needs the proxy's. {@code io.rapport.db} itself is
 * covered by {@code EmbeddedDatabaseTest} and by the packaged-jar test. The proxy passes bytes
 * unless a test says otherwise, and a test that injects a fault must undo it in a finally block.
 */
@QuarkusTestResource(TestDatabase.class)
public class TestDatabase implements QuarkusTestResourceLifecycleManager {

    /** The ICU locale the suite's database sorts text by (EmbeddedDatabase.initdbLocale). */
    public static final String SORTS_TEXT_BY = "en";

    private static EmbeddedPostgres postgres;
    private static FaultProxy proxy;
    private static Path dataDir;
    private static int port;
    private static List<String> postmasterArgs;
    private static String postmasterCommand;

    @Override
    public Map<String, String> start() {
        try {
            dataDir = Files.createTempDirectory("rapport-test-pg-");
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(true)
                    .setPGStartupWait(Duration.ofSeconds(60));
            EmbeddedDatabase.SERVER_SETTINGS.forEach(builder::setServerConfig);
            // English, where "a" sorts before "B": byte order would hide a query that needs COLLATE "C".
            EmbeddedDatabase.initdbLocale(SORTS_TEXT_BY).forEach(builder::setLocaleConfig);
            postgres = builder.start();
            port = postgres.getPort();
            ProcessHandle postmaster = postmaster();
            postmasterCommand = postmaster.info().command().orElseThrow();
            postmasterArgs = List.of(postmaster.info().arguments().orElseThrow());
            proxy = new FaultProxy(port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://localhost:" + proxy.port() + "/postgres",
                "quarkus.datasource.username", "postgres",
                "quarkus.datasource.password", "postgres",
                "rapport.embedded-db.enabled", "false");
    }

    @Override
    public void stop() {
        try {
            if (proxy != null) {
                proxy.close();
            }
        } catch (IOException e) {
            // The proxy's threads are daemons; nothing else holds on to it.
        }
        if (postgres != null) {
            // A server restarted by a test is not the process the embedded library started, so
            // the server is stopped here by its pid file; the library then removes the directory.
            if (Files.exists(dataDir.resolve("postmaster.pid"))) {
                thaw();
                stopServer();
            }
            try {
                postgres.close();
            } catch (IOException e) {
                // Already stopped above.
            }
        }
    }

    public static FaultProxy proxy() {
        if (proxy == null) {
            throw new IllegalStateException("TestDatabase has not started: is the test a @QuarkusTest?");
        }
        return proxy;
    }

    /** Undoes any fault: the proxy passes bytes, and the server runs and is not frozen. */
    public static void restore() {
        proxy().pass();
        if (Files.exists(dataDir.resolve("postmaster.pid"))) {
            thaw();
        } else {
            startServer();
        }
    }

    /**
     * SIGSTOP on the postmaster and every backend: what a stalled disk or a partition looks like.
     * The postmaster first, so no backend is forked after the list of them is taken.
     */
    public static void freeze() {
        ProcessHandle postmaster = postmaster();
        signal("-STOP", List.of(postmaster));
        signal("-STOP", postmaster.descendants().toList());
    }

    /** SIGCONT: the frozen server carries on where it stopped. */
    public static void thaw() {
        ProcessHandle postmaster = postmaster();
        signal("-CONT", postmaster.descendants().toList());
        signal("-CONT", List.of(postmaster));
    }

    /**
     * Stops the server with a fast shutdown (SIGINT: sessions are ended), keeping its data
     * directory and port. Signals rather than pg_ctl, which refuses to run as root.
     */
    public static void stopServer() {
        ProcessHandle postmaster = postmaster();
        run(List.of("kill", "-INT", String.valueOf(postmaster.pid())));
        try {
            postmaster.onExit().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("PostgreSQL did not stop", e);
        }
    }

    /** Starts the server again on the same port and data directory, and waits until it takes logins. */
    public static void startServer() {
        List<String> cmd = new ArrayList<>();
        if (isRoot()) {
            // PostgreSQL refuses to run as root; like the embedded library, run it in a user
            // namespace where it is not.
            cmd.addAll(List.of("unshare", "-U"));
        }
        cmd.add(postmasterCommand);
        cmd.addAll(postmasterArgs);
        try {
            new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(
                            ProcessBuilder.Redirect.appendTo(dataDir.resolveSibling(dataDir.getFileName() + ".log")
                                    .toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Instant deadline = Instant.now().plusSeconds(30);
        while (true) {
            try (Connection c = DriverManager.getConnection(
                    "jdbc:postgresql://localhost:" + port + "/postgres", "postgres", "postgres")) {
                return;
            } catch (Exception e) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("PostgreSQL did not come back", e);
                }
                sleep(100);
            }
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static ProcessHandle postmaster() {
        try {
            String pid =
                    Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim();
            return ProcessHandle.of(Long.parseLong(pid)).orElseThrow();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A backend may end between the list and the signal (one whose client gave up while it was
     * being made, under a burst): one that is gone needs no signal, so only that failure is let by.
     */
    private static void signal(String signal, List<ProcessHandle> processes) {
        if (processes.isEmpty()) {
            return;
        }
        List<String> cmd = new ArrayList<>(List.of("kill", signal));
        processes.forEach(p -> cmd.add(String.valueOf(p.pid())));
        run(cmd, true);
    }

    private static void run(List<String> cmd) {
        run(cmd, false);
    }

    private static void run(List<String> cmd, boolean goneIsFine) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                throw new IllegalStateException(cmd.get(0) + " did not finish: " + out);
            }
            boolean onlyGone = goneIsFine && out.lines().allMatch(l -> l.isBlank() || l.contains("No such process"));
            if (p.exitValue() != 0 && !onlyGone) {
                throw new IllegalStateException(cmd.get(0) + " failed: " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

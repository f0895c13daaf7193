package io.rapport.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * The packaged jar ({@code target/quarkus-app/quarkus-run.jar}) started as a process of its own, for
 * the few tests that need a real start or stop: startup refusals, shutdown, startup time. It gets
 * free ports, a working directory of its own, and none of the caller's {@code QUARKUS_*},
 * {@code RAPPORT_*} or {@code MP_*} variables, so only what the test passes configures it.
 */
public final class PackagedApp implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final int httpPort;
    private final int managementPort;

    private PackagedApp(Process process, Path log, int httpPort, int managementPort) {
        this.process = process;
        this.log = log;
        this.httpPort = httpPort;
        this.managementPort = managementPort;
    }

    /** The quarkus-app directory that {@code package} built (failsafe passes it in). */
    public static Path quarkusApp() {
        Path dir = Path.of(System.getProperty("rapport.quarkus-app", "target/quarkus-app"));
        if (!Files.isRegularFile(dir.resolve("quarkus-run.jar"))) {
            throw new IllegalStateException(
                    "No packaged jar in " + dir.toAbsolutePath() + ": run ./mvnw package first");
        }
        return dir;
    }

    /**
     * Starts the jar in {@code workDir} with these environment variables and extra JVM options.
     * Output (stdout and stderr) goes to {@code workDir/rapport.log}.
     */
    public static PackagedApp start(Path workDir, Map<String, String> env, List<String> jvmOptions) {
        return start(workDir, workDir, quarkusApp().resolve("quarkus-run.jar").toAbsolutePath(), env, jvmOptions);
    }

    /**
     * Starts the jar from its own directory as {@code -jar quarkus-run.jar}, the way the AppCDS
     * archive that package writes expects it. Only for an external database: an embedded one would
     * put its data beside the jar. Output goes to {@code logDir/rapport.log}.
     */
    public static PackagedApp startInAppDir(Path logDir, Map<String, String> env, List<String> jvmOptions) {
        return start(quarkusApp(), logDir, Path.of("quarkus-run.jar"), env, jvmOptions);
    }

    private static PackagedApp start(
            Path workDir, Path logDir, Path jar, Map<String, String> env, List<String> jvmOptions) {
        try {
            Files.createDirectories(logDir);
            int http = freePort();
            int management = freePort();
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions);
            command.add("-Dquarkus.http.port=" + http);
            command.add("-Dquarkus.management.port=" + management);
            command.add("-jar");
            command.add(jar.toString());
            Path log = logDir.resolve("rapport.log");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            Map<String, String> environment = builder.environment();
            environment
                    .keySet()
                    .removeIf(k -> k.startsWith("QUARKUS_") || k.startsWith("RAPPORT_") || k.startsWith("MP_"));
            environment.putAll(env);
            return new PackagedApp(builder.start(), log, http, management);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs docker/appcds-train.sh against the packaged app, as the image build runs it against
     * /deployments, with this JVM: it writes {@code archive} or fails with the script's output.
     */
    public static void trainAppCds(Path archive, Path log, String... jvmOptions) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                "bash",
                Path.of("docker/appcds-train.sh").toAbsolutePath().toString(),
                quarkusApp().toAbsolutePath().toString(),
                archive.toAbsolutePath().toString()));
        command.addAll(List.of(jvmOptions));
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(k -> k.startsWith("QUARKUS_") || k.startsWith("RAPPORT_") || k.startsWith("MP_"));
        environment.put("JAVA_HOME", System.getProperty("java.home"));
        environment.put("QUARKUS_HTTP_PORT", Integer.toString(freePort()));
        environment.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(freePort()));
        Process process = builder.start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException("appcds-train.sh did not finish:\n" + Files.readString(log));
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("appcds-train.sh failed:\n" + Files.readString(log));
        }
    }

    /**
     * Settings a prod start accepts: a random pseudonym key (placeholders and weak keys are
     * refused) and the suite's token issuer and key; then {@code more} key-value pairs.
     */
    public static Map<String, String> prodSettings(String... more) {
        byte[] key = new byte[48];
        new SecureRandom().nextBytes(key);
        Map<String, String> settings = env(
                "RAPPORT_PSEUDONYM_KEY",
                Base64.getEncoder().encodeToString(key),
                "MP_JWT_VERIFY_PUBLICKEY_LOCATION",
                Path.of("src/test/resources/test-jwt/public.pem")
                        .toAbsolutePath()
                        .toString(),
                "MP_JWT_VERIFY_ISSUER",
                Tokens.ISSUER);
        settings.putAll(env(more));
        return settings;
    }

    public static Map<String, String> env(String... keyValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    /** The exit code, or empty when the process still runs after {@code timeout}. */
    public OptionalInt awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                ? OptionalInt.of(process.exitValue())
                : OptionalInt.empty();
    }

    /**
     * Polls {@code path} on the management port until it answers 200; false when the process exits
     * first or {@code timeout} passes.
     */
    public boolean awaitManagement200(String path, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        URI uri = URI.create("http://127.0.0.1:" + managementPort + path);
        while (System.nanoTime() < deadline && process.isAlive()) {
            if (status(uri) == 200) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    private static int status(URI uri) {
        try {
            HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
            c.setConnectTimeout(200);
            c.setReadTimeout(1000);
            try {
                return c.getResponseCode();
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            return -1;
        }
    }

    public String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    public int httpPort() {
        return httpPort;
    }

    public int managementPort() {
        return managementPort;
    }

    /** SIGTERM, and no more: what an orchestrator sends to stop it. */
    public void terminate() {
        process.destroy();
    }

    /** SIGTERM, then SIGKILL if it has not stopped after 30 s. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** CPU time the process has used so far (all its threads), from /proc (Linux), or -1. */
    public long cpuMillis() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // utime and stime, fields 14 and 15 of stat, in clock ticks of 10 ms on Linux.
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Resident memory of the process now, from /proc (Linux), or -1 where that is not readable. */
    public long rssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // Not Linux, or the process is gone: no figure.
        }
        return -1;
    }
}

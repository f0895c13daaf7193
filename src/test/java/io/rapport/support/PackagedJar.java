package io.rapport.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged application ({@code target/quarkus-app/quarkus-run.jar}, built by {@code package}
 * before failsafe runs) as a separate process, for what only a real process shows: startup
 * refusals, exit codes, signals. Output goes to a file in the working directory, so a chatty
 * process never blocks on a full pipe and a failed assertion can quote it.
 *
 * <p>Each process gets its own working directory, an embedded PostgreSQL data directory under it,
 * free ports, and an environment without the caller's {@code RAPPORT_*}, {@code MP_JWT_*} and
 * {@code QUARKUS_*} variables. {@link #close()} always ends the process and any child it left.
 */
public final class PackagedJar implements AutoCloseable {

    private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
    private static final Pattern HTTP = Pattern.compile("Listening on: https?://[^:]+:(\\d+)");
    private static final Pattern MANAGEMENT =
            Pattern.compile("Management interface listening on https?://[^:]+:(\\d+)");
    private static final String STARTED = "started in";
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);

    private final Process process;
    private final Path output;

    private PackagedJar(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /**
     * Starts the jar in {@code workDir} (created if needed) with the given extra environment, on
     * ports chosen by the system and with its database under {@code workDir/pg}.
     */
    public static PackagedJar start(Path workDir, Map<String, String> env) {
        Path jar = JAR.toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: these tests run after `package` (./mvnw verify)");
        }
        try {
            Files.createDirectories(workDir);
            Path output = workDir.resolve("output.log");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    // Short-lived processes: C1 alone halves start-up CPU on a busy machine.
                    "-XX:TieredStopAtLevel=1",
                    "-XX:+UseSerialGC",
                    "-Dquarkus.http.port=0",
                    "-Dquarkus.management.port=0",
                    "-jar",
                    jar.toString()));
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            Map<String, String> environment = builder.environment();
            environment
                    .keySet()
                    .removeIf(k -> k.startsWith("RAPPORT_") || k.startsWith("MP_JWT_") || k.startsWith("QUARKUS_"));
            environment.put(
                    "RAPPORT_EMBEDDED_DB_DATA_DIR",
                    workDir.resolve("pg").toAbsolutePath().toString());
            environment.putAll(env);
            return new PackagedJar(builder.start(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for the process to end by itself and answers its exit code; fails if it does not. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("still running after " + timeout + "; output:\n" + output());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * Waits until Quarkus reports it started and readiness answers 200. Fails with the output if
     * the process exits or the time runs out first.
     */
    public void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("exited with " + process.exitValue() + " before ready; output:\n" + output());
            }
            if (output().contains(STARTED) && ready(http, managementPort())) {
                return;
            }
            sleep(Duration.ofMillis(250));
        }
        throw new AssertionError("not ready after " + timeout + "; output:\n" + output());
    }

    /** The port the API listens on, as the process reported it. */
    public int httpPort() {
        return port(HTTP);
    }

    /** The port of health and metrics, as the process reported it. */
    public int managementPort() {
        return port(MANAGEMENT);
    }

    private int port(Pattern pattern) {
        Matcher m = pattern.matcher(output());
        if (!m.find()) {
            throw new AssertionError("no port reported (" + pattern + "); output:\n" + output());
        }
        return Integer.parseInt(m.group(1));
    }

    /** Everything the process printed so far, stdout and stderr interleaved as written. */
    public String output() {
        try {
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Asks the process to stop (SIGTERM), and forces it and its children if it will not. */
    @Override
    public void close() {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        // A forced stop skips the shutdown hook that stops the embedded PostgreSQL.
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    private static boolean ready(HttpClient http, int managementPort) {
        try {
            HttpResponse<Void> response = http.send(
                    HttpRequest.newBuilder(URI.create("http://localhost:" + managementPort + "/q/health/ready"))
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

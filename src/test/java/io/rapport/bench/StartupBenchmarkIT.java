package io.rapport.bench;

import io.rapport.support.ContainerImage;
import io.rapport.support.PackagedApp;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How fast a new pod takes traffic: the packaged jar against an already migrated external
 * PostgreSQL, from process start until {@code /q/health/ready} answers 200: without AppCDS, with
 * the archive package writes, and as the container image starts it (the archive of a whole
 * training start, and the JVM options docker/Dockerfile.jvm sets). Prints medians of five runs each (alternated, so load on the machine
 * falls on all alike); asserts nothing about speed.
 *
 * <p>{@code ./mvnw verify -Pbench -DskipITs=false -Dtest=NoSuchTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=StartupBenchmarkIT}
 */
class StartupBenchmarkIT {

    private static final int RUNS = 5;
    private static final Pattern STARTED_IN = Pattern.compile("started in ([0-9.]+)s");

    @TempDir
    Path work;

    record Run(long readyMillis, long cpuMillis, double startedInSeconds, long rssKb) {}

    @Test
    void timeToReadiness() throws Exception {
        Path archive = PackagedApp.quarkusApp().resolve("app-cds.jsa").toAbsolutePath();
        if (!Files.isRegularFile(archive)) {
            throw new IllegalStateException("No " + archive + ": package with quarkus.package.jar.appcds.enabled=true");
        }
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            Map<String, String> env = PackagedApp.prodSettings(
                    "QUARKUS_DATASOURCE_JDBC_URL",
                    "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres",
                    "QUARKUS_DATASOURCE_USERNAME",
                    "postgres",
                    "QUARKUS_DATASOURCE_PASSWORD",
                    "postgres",
                    "RAPPORT_EMBEDDED_DB_ENABLED",
                    "false");
            // The first start migrates the empty database; a pod added by the autoscaler never does.
            run(env, List.of(), "warm-up");

            // The image's archive: docker/appcds-train.sh, as docker/Dockerfile.jvm runs it, with
            // this machine's JVM and the GC the image selects.
            Path trained = work.resolve("trained.jsa");
            PackagedApp.trainAppCds(trained, work.resolve("train.log"), "-XX:+UseSerialGC");
            // The image's JVM options from its Dockerfile (GC, JIT thresholds, heap) under the pod's
            // memory limit, and -Xshare:on: a rejected archive fails the run instead of being
            // measured as a start without one.
            List<String> image = ContainerImage.jvmOptions(trained, "-Xshare:on");

            List<Run> plain = new ArrayList<>();
            List<Run> cds = new ArrayList<>();
            List<Run> imageRuns = new ArrayList<>();
            for (int i = 0; i < RUNS; i++) {
                plain.add(run(env, List.of(), "plain-" + i));
                cds.add(run(env, List.of("-XX:SharedArchiveFile=app-cds.jsa"), "appcds-" + i));
                imageRuns.add(run(env, image, "image-" + i));
            }
            print("without AppCDS                       ", plain);
            print("package's AppCDS (static init only)  ", cds);
            print("image: trained AppCDS, its JVM options", imageRuns);
        }
    }

    private Run run(Map<String, String> env, List<String> jvmOptions, String name) throws Exception {
        long start = System.nanoTime();
        try (PackagedApp app = PackagedApp.startInAppDir(work.resolve(name), env, jvmOptions)) {
            if (!app.awaitManagement200("/q/health/ready", Duration.ofSeconds(120))) {
                throw new IllegalStateException(name + " never became ready:\n" + app.output());
            }
            long ready = Duration.ofNanos(System.nanoTime() - start).toMillis();
            Matcher m = STARTED_IN.matcher(app.output());
            double startedIn = m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
            return new Run(ready, app.cpuMillis(), startedIn, app.rssKb());
        }
    }

    private static void print(String label, List<Run> runs) {
        System.out.printf(
                "startup %s: ready median %d ms (runs %s), CPU until ready median %d ms,"
                        + " Quarkus \"started in\" median %.3f s, RSS at ready median %d MB, load %s%n",
                label,
                median(runs.stream().map(Run::readyMillis).toList()),
                runs.stream().map(Run::readyMillis).toList(),
                median(runs.stream().map(Run::cpuMillis).toList()),
                medianDouble(runs.stream().map(Run::startedInSeconds).toList()),
                median(runs.stream().map(Run::rssKb).toList()) / 1024,
                loadAverage());
    }

    /** The machine's load while measuring: figures taken on a busy machine say so. */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static double medianDouble(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}

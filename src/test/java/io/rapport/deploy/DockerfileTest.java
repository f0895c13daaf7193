package io.rapport.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.rapport.support.ContainerImage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docker/Dockerfile.jvm and .dockerignore, read as docker build would read them. */
class DockerfileTest {

    private static final String TEXT = ContainerImage.text();
    private static final List<String[]> INSTRUCTIONS = ContainerImage.instructions();

    private static List<String> args(String instruction) {
        return ContainerImage.args(instruction);
    }

    @Test
    void theBaseImageIsAJava17RuntimePinnedByTag() {
        List<String> from = args("FROM");
        assertThat(from).hasSize(1);
        KubernetesManifestsTest.assertPinned(from.get(0));
        assertThat(from.get(0)).contains("openjdk-17");
    }

    @Test
    void itRunsAsANonRootUser() {
        List<String> users = args("USER");
        assertThat(users).isNotEmpty();
        String last = users.get(users.size() - 1);
        assertThat(last).isNotIn("root", "0").doesNotStartWith("0:").doesNotStartWith("root:");
        int userAt = indexOf("USER", last);
        assertThat(userAt).isLessThan(indexOf("ENTRYPOINT", null));
    }

    @Test
    void itCopiesTheFastJarInFourLayersLeastChangingFirst() {
        assertThat(args("COPY").subList(0, 4))
                .containsExactly(
                        "--chown=185 target/quarkus-app/lib/ /deployments/lib/",
                        "--chown=185 target/quarkus-app/*.jar /deployments/",
                        "--chown=185 target/quarkus-app/app/ /deployments/app/",
                        "--chown=185 target/quarkus-app/quarkus/ /deployments/quarkus/");
        // Then only the AppCDS training script, which the same RUN deletes again.
        assertThat(args("COPY").subList(4, args("COPY").size()))
                .containsExactly("--chown=185 docker/appcds-train.sh /deployments/appcds-train.sh");
        assertThat(args("USER")).contains("185");
        assertThat(args("ENV")).anyMatch(e -> e.contains("JAVA_APP_JAR=\"/deployments/quarkus-run.jar\""));
    }

    @Test
    void itExposesTheApiAndManagementPorts() {
        assertThat(args("EXPOSE")).hasSize(1);
        assertThat(Arrays.asList(args("EXPOSE").get(0).split("\\s+")))
                .containsExactlyInAnyOrder(
                        String.valueOf(AppProperties.httpPort()), String.valueOf(AppProperties.managementPort()));
    }

    @Test
    void itNeverStartsTheEmbeddedDatabase() {
        assertThat(args("ENV")).contains("RAPPORT_EMBEDDED_DB_ENABLED=false");
    }

    @Test
    void itTrainsItsOwnAppCdsArchiveAndStartsWithIt() {
        String run = args("RUN").stream()
                .filter(r -> r.contains("appcds-train.sh"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no RUN trains an AppCDS archive"));
        Matcher call = Pattern.compile(
                        "bash /deployments/appcds-train\\.sh (\\S+) (\\S+) (.*?) && rm /deployments/appcds-train\\.sh")
                .matcher(run);
        assertThat(call.find()).as(run).isTrue();
        // The training start runs the jar run-java.sh runs, with the GC it runs with.
        assertThat(call.group(1) + "/quarkus-run.jar").isEqualTo("/deployments/quarkus-run.jar");
        assertThat(args("ENV")).anyMatch(e -> e.equals("JAVA_APP_JAR=\"/deployments/quarkus-run.jar\""));
        String gc = args("ENV").stream()
                .filter(e -> e.startsWith("GC_CONTAINER_OPTIONS="))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the image sets no GC_CONTAINER_OPTIONS"));
        assertThat(call.group(3).trim().split("\\s+"))
                .contains(gc.substring(gc.indexOf('"') + 1, gc.lastIndexOf('"')))
                // A heap as a pod's, so compressed oops are on in training as they are in the pod.
                .anyMatch(o -> o.startsWith("-Xmx"));
        assertThat(args("ENV"))
                .anyMatch(
                        e -> e.startsWith("JAVA_OPTS_APPEND=") && e.contains("-XX:SharedArchiveFile=" + call.group(2)));
        // The archive is written by the image's JVM, after the application is in place.
        assertThat(indexOf("RUN", run)).isGreaterThan(indexOf("COPY", null));
        assertThat(Path.of("docker/appcds-train.sh")).isRegularFile();
    }

    @Test
    void theHeaderSaysHowToBuildAndRun() {
        String header = TEXT.substring(0, TEXT.indexOf("\nFROM"));
        assertThat(header)
                .contains("./mvnw package")
                .contains("docker build -f docker/Dockerfile.jvm")
                .contains("docker run")
                .contains("QUARKUS_DATASOURCE_JDBC_URL");
    }

    @Test
    void theBuildContextIsAnAllowList() {
        List<String> patterns = Arrays.stream(
                        Yaml.read(Path.of(".dockerignore")).split("\n"))
                .map(String::trim)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
        assertThat(patterns.get(0)).isEqualTo("*");
        assertThat(patterns.subList(1, patterns.size()))
                .allSatisfy(p -> assertThat(p).startsWith("!"));
        assertThat(patterns).containsExactly("*", "!target/quarkus-app/", "!docker/appcds-train.sh");
    }

    private static int indexOf(String instruction, String arguments) {
        for (int i = 0; i < INSTRUCTIONS.size(); i++) {
            if (INSTRUCTIONS.get(i)[0].equals(instruction)
                    && (arguments == null || INSTRUCTIONS.get(i)[1].equals(arguments))) {
                return i;
            }
        }
        throw new AssertionError("no " + instruction + " " + (arguments == null ? "" : arguments));
    }
}

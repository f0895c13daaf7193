package io.rapport.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docker/docker-compose.yml read as compose would read it (no Docker engine here, so no
 * {@code docker compose config}): healthchecks, real config keys, mounts that exist, secrets that
 * come from the .env the README tells you to copy.
 */
class ComposeFileTest {

    private static final Path DOCKER = Path.of("docker");
    private static final Path COMPOSE_FILE = DOCKER.resolve("docker-compose.yml");
    private static final JsonNode COMPOSE = Yaml.file(COMPOSE_FILE);
    private static final JsonNode SERVICES = COMPOSE.path("services");

    @Test
    void theStackHasTheServiceItsDatabaseAndItsMonitoring() {
        List<String> names = new ArrayList<>();
        SERVICES.fieldNames().forEachRemaining(names::add);
        assertThat(names).contains("postgres", "rapport", "prometheus", "grafana");
        assertThat(SERVICES.path("postgres").path("image").asText()).isEqualTo("postgres:17");
    }

    /** Made as the Kubernetes cluster is (k8s/base/postgres/cluster.yaml): locale C, page checksums. */
    @Test
    void theDatabaseIsMadeWithByteOrderTextAndPageChecksums() {
        List<String> args = List.of(SERVICES.path("postgres")
                .path("environment")
                .path("POSTGRES_INITDB_ARGS")
                .asText()
                .split(" "));
        assertThat(args).contains("--locale=C", "--encoding=UTF8", "--data-checksums");
        JsonNode initdb = Yaml.file(Path.of("k8s/base/postgres/cluster.yaml"))
                .path("spec")
                .path("bootstrap")
                .path("initdb");
        assertThat(initdb.path("dataChecksums").asBoolean()).isTrue();
        assertThat(initdb.path("localeCollate").asText()).isEqualTo("C");
    }

    /**
     * The database's lock table has the room the Kubernetes cluster gives alert evaluation's
     * advisory locks (V8); the image's default, 64 per connection, was a quarter of it.
     */
    @Test
    void theDatabaseHasTheLockTableOfTheKubernetesCluster() {
        String cluster = Yaml.file(Path.of("k8s/base/postgres/cluster.yaml"))
                .path("spec")
                .path("postgresql")
                .path("parameters")
                .path("max_locks_per_transaction")
                .asText();
        assertThat(cluster).isEqualTo("256");
        List<String> command = texts(SERVICES.path("postgres").path("command"));
        assertThat(command).first().isEqualTo("postgres");
        assertThat(command).containsSubsequence("-c", "max_locks_per_transaction=" + cluster);
    }

    /**
     * Compose stops Rapport no sooner than its shutdown can end, as the Deployment's grace period
     * (KubernetesManifestsTest): compose's default, 10 s, killed it with audit rows still queued.
     */
    @Test
    void rapportIsGivenTheTimeItsShutdownTakes() {
        String grace = SERVICES.path("rapport").path("stop_grace_period").asText();
        assertThat(grace).as("stop_grace_period").matches("[0-9]+s");
        assertThat(Duration.ofSeconds(Long.parseLong(grace.substring(0, grace.length() - 1))))
                .isGreaterThan(AppProperties.longestShutdown());
    }

    @Test
    void everyServiceHasAHealthcheck() {
        SERVICES.properties().forEach(s -> {
            JsonNode check = s.getValue().path("healthcheck");
            assertThat(check.path("disable").asBoolean(false)).as(s.getKey()).isFalse();
            assertThat(check.path("test")).as("%s healthcheck", s.getKey()).isNotEmpty();
        });
        // Over TCP: on a new volume the image's first server, while it initialises, has a socket only.
        assertThat(String.join(
                        " ", texts(SERVICES.path("postgres").path("healthcheck").path("test"))))
                .contains("pg_isready -h 127.0.0.1 ");
        assertThat(String.join(
                        " ", texts(SERVICES.path("rapport").path("healthcheck").path("test"))))
                .contains("/dev/tcp/127.0.0.1/" + AppProperties.managementPort())
                .contains("GET " + AppProperties.healthPath("readiness") + " ");
    }

    @Test
    void everyImageIsPinned() {
        SERVICES.properties().forEach(s -> {
            String image = s.getValue().path("image").asText();
            assertThat(image).as(s.getKey()).isNotEmpty();
            KubernetesManifestsTest.assertPinned(image);
        });
    }

    @Test
    void rapportIsBuiltFromTheDockerfileAndWaitsForAHealthyDatabase() {
        JsonNode rapport = SERVICES.path("rapport");
        Path context =
                DOCKER.resolve(rapport.path("build").path("context").asText()).normalize();
        assertThat(context.toAbsolutePath()).isEqualTo(Path.of("").toAbsolutePath());
        assertThat(context.resolve(rapport.path("build").path("dockerfile").asText()))
                .isEqualTo(DOCKER.resolve("Dockerfile.jvm"))
                .isRegularFile();

        URI jdbc = URI.create(rapport.path("environment")
                .path("QUARKUS_DATASOURCE_JDBC_URL")
                .asText()
                .substring("jdbc:".length()));
        assertThat(jdbc.getHost()).isEqualTo("postgres");
        assertThat(jdbc.getPath())
                .isEqualTo("/"
                        + SERVICES.path("postgres")
                                .path("environment")
                                .path("POSTGRES_DB")
                                .asText());
        assertThat(rapport.path("environment")
                        .path("QUARKUS_DATASOURCE_USERNAME")
                        .asText())
                .isEqualTo(SERVICES.path("postgres")
                        .path("environment")
                        .path("POSTGRES_USER")
                        .asText());
        assertThat(rapport.path("environment")
                        .path("QUARKUS_DATASOURCE_PASSWORD")
                        .asText())
                .isEqualTo(SERVICES.path("postgres")
                        .path("environment")
                        .path("POSTGRES_PASSWORD")
                        .asText());
        assertThat(rapport.path("depends_on").path("postgres").path("condition").asText())
                .isEqualTo("service_healthy");
        assertThat(texts(rapport.path("ports")))
                .contains(
                        AppProperties.httpPort() + ":" + AppProperties.httpPort(),
                        "127.0.0.1:" + AppProperties.managementPort() + ":" + AppProperties.managementPort());
        // The heap is half the container's memory: without a limit, half the host's.
        assertThat(rapport.path("mem_limit").asText()).isEqualTo("768m");
    }

    /** What answers without a token (health, metrics, Prometheus, Grafana's viewers) is published on loopback only. */
    @Test
    void onlyTheApiIsPublishedBeyondThisMachine() {
        SERVICES.properties()
                .forEach(s -> s.getValue().path("ports").forEach(port -> {
                    String published = port.asText();
                    if (!published.equals(AppProperties.httpPort() + ":" + AppProperties.httpPort())) {
                        assertThat(published).as(s.getKey()).startsWith("127.0.0.1:");
                    }
                }));
    }

    @Test
    void rapportsEnvironmentNamesAreRealConfigKeys() {
        List<String> names = new ArrayList<>();
        SERVICES.path("rapport").path("environment").fieldNames().forEachRemaining(names::add);
        assertThat(names).contains("QUARKUS_DATASOURCE_JDBC_URL", "RAPPORT_PSEUDONYM_KEY");
        assertThat(names)
                .allSatisfy(n -> assertThat(ConfigKeys.isKnownEnvironmentVariable(n))
                        .as("%s is a real config key", n)
                        .isTrue());
    }

    @Test
    void theConfigKeyCheckRefusesATypo() {
        assertThat(ConfigKeys.isKnownEnvironmentVariable("RAPPORT_PSEUDONYM_KY"))
                .isFalse();
        assertThat(ConfigKeys.isKnownEnvironmentVariable("QUARKUS_DATASOURCE_JDBC_URI"))
                .isFalse();
        assertThat(ConfigKeys.isKnownEnvironmentVariable("RAPPORT_INSTRUMENTS_SRS_CUTOFF"))
                .isTrue();
        assertThat(ConfigKeys.isKnownEnvironmentVariable("RAPPORT_METRICS_REFRESH_INTERVAL"))
                .isTrue();
        assertThat(ConfigKeys.rapportKeys()).contains("rapport.embedded-db.enabled", "rapport.instruments.*.cutoff");
    }

    @Test
    void everyMountedPathExistsAndEveryNamedVolumeIsDeclared() {
        Set<String> declared = new TreeSet<>();
        COMPOSE.path("volumes").fieldNames().forEachRemaining(declared::add);
        List<String> mounts = new ArrayList<>();
        SERVICES.forEach(s -> s.path("volumes").forEach(v -> mounts.add(v.asText())));
        assertThat(mounts).isNotEmpty();
        for (String mount : mounts) {
            String source = mount.split(":")[0];
            if (source.startsWith(".")) {
                assertThat(DOCKER.resolve(source).normalize()).as(mount).exists();
            } else {
                assertThat(source)
                        .as("%s: absolute host paths do not travel", mount)
                        .doesNotStartWith("/");
                assertThat(declared).as(mount).contains(source);
            }
        }
        assertThat(DOCKER.resolve("prometheus/rules/rapport.rules.yml")).isRegularFile();
    }

    @Test
    void everySecretComesFromTheEnvFileTheReadmeSaysToCopy() {
        String text = Yaml.read(COMPOSE_FILE);
        Set<String> used = new TreeSet<>();
        Matcher m = Pattern.compile("\\$\\{([A-Z0-9_]+)").matcher(text);
        while (m.find()) {
            used.add(m.group(1));
        }
        Set<String> offered = new TreeSet<>();
        for (String line : Yaml.read(DOCKER.resolve(".env.example")).split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                offered.add(line.substring(0, line.indexOf('=')));
            }
        }
        assertThat(used).contains("POSTGRES_PASSWORD", "RAPPORT_PSEUDONYM_KEY");
        assertThat(offered).containsAll(used);
        assertThat(Yaml.read(Path.of(".gitignore"))).contains("docker/.env");
        assertThat(Yaml.read(Path.of("README.md"))).contains("cp docker/.env.example docker/.env");
    }

    /**
     * A copy of the example used as it stands must not run with a password anyone can read here:
     * the example leaves every password empty, and compose refuses an empty one ({@code :?}).
     */
    @Test
    void theExamplesPasswordsAreEmptyAndComposeRefusesThemSo() {
        String text = Yaml.read(COMPOSE_FILE);
        Matcher m = Pattern.compile("\\$\\{([A-Z0-9_]*PASSWORD)([^}]*)}").matcher(text);
        Set<String> passwords = new TreeSet<>();
        while (m.find()) {
            assertThat(m.group(2))
                    .as("%s must be refused when unset or empty", m.group(1))
                    .startsWith(":?");
            passwords.add(m.group(1));
        }
        assertThat(passwords).containsExactly("GRAFANA_ADMIN_PASSWORD", "POSTGRES_PASSWORD");
        for (String line : Yaml.read(DOCKER.resolve(".env.example")).split("\n")) {
            for (String password : passwords) {
                if (line.startsWith(password + "=")) {
                    assertThat(line).as("the example's %s", password).isEqualTo(password + "=");
                }
            }
        }
    }

    @Test
    void prometheusScrapesRapportsManagementPortAndGrafanaLetsViewersIn() {
        JsonNode prometheus = Yaml.file(DOCKER.resolve("prometheus/prometheus.yml"));
        JsonNode job = prometheus.path("scrape_configs").get(0);
        assertThat(job.path("job_name").asText()).isEqualTo("rapport");
        assertThat(job.path("metrics_path").asText()).isEqualTo(AppProperties.metricsPath());
        assertThat(texts(job.path("static_configs").get(0).path("targets")))
                .containsExactly("rapport:" + AppProperties.managementPort());

        Map<String, String> grafana = Map.of(
                "GF_AUTH_ANONYMOUS_ENABLED", "true",
                "GF_AUTH_ANONYMOUS_ORG_ROLE", "Viewer");
        grafana.forEach((k, v) -> assertThat(
                        SERVICES.path("grafana").path("environment").path(k).asText())
                .as(k)
                .isEqualTo(v));
        assertThat(Files.isRegularFile(DOCKER.resolve("grafana/dashboards/rapport.json")))
                .isTrue();
    }

    /**
     * Prometheus keeps its data in a named volume, at the path its command names: the
     * week-over-week rule needs a week of history, which a container's own layer loses at every
     * re-creation.
     */
    @Test
    void prometheusKeepsItsHistoryInAVolume() {
        JsonNode prometheus = SERVICES.path("prometheus");
        List<String> command = texts(prometheus.path("command"));
        String path = command.stream()
                .filter(arg -> arg.startsWith("--storage.tsdb.path="))
                .map(arg -> arg.substring("--storage.tsdb.path=".length()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("prometheus names no --storage.tsdb.path: " + command));
        assertThat(texts(prometheus.path("volumes"))).contains("prometheus-data:" + path);
        assertThat(COMPOSE.path("volumes").has("prometheus-data")).isTrue();
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}

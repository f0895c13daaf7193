package io.rapport.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Quantity;
import io.rapport.support.ContainerImage;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Kubernetes manifests as {@code kubectl apply -k} would send them: each kustomization rendered
 * with kubectl, every object checked against its schema, and the rendered objects held to what
 * Rapport needs (ports, probes, grace period, database wiring, rules equal to the compose ones).
 */
class KubernetesManifestsTest {

    private static final Path K8S = Path.of("k8s");
    private static final Set<String> EXPECTED_KINDS = Set.of(
            "Deployment/rapport",
            "Service/rapport",
            "Service/rapport-management",
            "ConfigMap/rapport-config",
            "HorizontalPodAutoscaler/rapport",
            "PodDisruptionBudget/rapport",
            "NetworkPolicy/rapport",
            "ServiceMonitor/rapport",
            "PrometheusRule/rapport",
            "Cluster/rapport-db");

    private static List<JsonNode> render(String kustomization) {
        return Kustomize.render(K8S.resolve(kustomization));
    }

    private static Map<String, JsonNode> objects(String kustomization) {
        return SchemaCheck.byKindAndName(render(kustomization));
    }

    private static JsonNode container(String kustomization) {
        JsonNode containers = objects(kustomization)
                .get("Deployment/rapport")
                .path("spec")
                .path("template")
                .path("spec")
                .path("containers");
        assertThat(containers).hasSize(1);
        return containers.get(0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/dev", "overlays/prod"})
    void rendersEveryObjectAndEachMatchesItsSchema(String kustomization) {
        List<JsonNode> rendered = render(kustomization);

        assertThat(objects(kustomization).keySet()).containsExactlyInAnyOrderElementsOf(EXPECTED_KINDS);
        for (JsonNode object : rendered) {
            assertThat(SchemaCheck.problems(object))
                    .as(
                            "%s/%s",
                            object.path("kind").asText(),
                            object.path("metadata").path("name"))
                    .isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/prod"})
    void overlaysPutEverythingInTheirNamespace(String kustomization) {
        String namespace = kustomization.endsWith("dev") ? "rapport-dev" : "rapport";
        for (JsonNode object : render(kustomization)) {
            assertThat(object.path("metadata").path("namespace").asText())
                    .as(object.path("kind").asText())
                    .isEqualTo(namespace);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/dev", "overlays/prod"})
    void portsAndProbesAreRapportsOwn(String kustomization) {
        JsonNode c = container(kustomization);
        Map<String, Integer> ports = new HashMap<>();
        c.path("ports")
                .forEach(p -> ports.put(
                        p.path("name").asText(), p.path("containerPort").asInt()));
        assertThat(ports)
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("http", AppProperties.httpPort(), "management", AppProperties.managementPort()));

        assertProbe(c.path("readinessProbe"), ports, AppProperties.healthPath("readiness"));
        assertProbe(c.path("livenessProbe"), ports, AppProperties.healthPath("liveness"));
        assertProbe(c.path("startupProbe"), ports, AppProperties.healthPath("startup"));
        assertThat(AppProperties.healthPath("readiness")).isEqualTo("/q/health/ready");
    }

    private static void assertProbe(JsonNode probe, Map<String, Integer> ports, String path) {
        JsonNode get = probe.path("httpGet");
        assertThat(get.path("path").asText()).isEqualTo(path);
        JsonNode port = get.path("port");
        int number = port.isInt() ? port.asInt() : ports.getOrDefault(port.asText(), -1);
        assertThat(number).as("probe port of %s", path).isEqualTo(AppProperties.managementPort());
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/dev", "overlays/prod"})
    void everyContainerIsLimitedAndLockedDown(String kustomization) {
        JsonNode pod = objects(kustomization)
                .get("Deployment/rapport")
                .path("spec")
                .path("template")
                .path("spec");
        assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.path("securityContext")
                        .path("seccompProfile")
                        .path("type")
                        .asText())
                .isEqualTo("RuntimeDefault");
        List<JsonNode> containers = new ArrayList<>();
        pod.path("containers").forEach(containers::add);
        pod.path("initContainers").forEach(containers::add);
        for (JsonNode c : containers) {
            String name = c.path("name").asText();
            JsonNode resources = c.path("resources");
            for (String kind : List.of("requests", "limits")) {
                assertThat(resources.path(kind).path("cpu").asText())
                        .as("%s %s cpu", name, kind)
                        .isNotEmpty();
                assertThat(resources.path(kind).path("memory").asText())
                        .as("%s %s memory", name, kind)
                        .isNotEmpty();
            }
            JsonNode sc = c.path("securityContext");
            assertThat(sc.path("runAsNonRoot").asBoolean()).as(name).isTrue();
            assertThat(sc.path("readOnlyRootFilesystem").asBoolean()).as(name).isTrue();
            assertThat(sc.path("allowPrivilegeEscalation").isBoolean()).as(name).isTrue();
            assertThat(sc.path("allowPrivilegeEscalation").asBoolean()).as(name).isFalse();
            assertThat(texts(sc.path("capabilities").path("drop"))).as(name).contains("ALL");
            assertThat(sc.path("seccompProfile").path("type").asText()).as(name).isEqualTo("RuntimeDefault");
        }
        if (kustomization.equals("base")) {
            // The limit the image's heap settings are measured against (ContainerImage).
            assertThat(containers
                            .get(0)
                            .path("resources")
                            .path("limits")
                            .path("memory")
                            .asText())
                    .isEqualTo(ContainerImage.POD_MEMORY_LIMIT_MIB + "Mi");
        }
        // A read-only root needs somewhere writable for the JVM and Vert.x: /tmp, from an emptyDir.
        String tmpVolume = StreamSupport.stream(
                        containers.get(0).path("volumeMounts").spliterator(), false)
                .filter(m -> m.path("mountPath").asText().equals("/tmp"))
                .map(m -> m.path("name").asText())
                .findFirst()
                .orElseThrow(() -> new AssertionError("/tmp is not mounted"));
        boolean emptyDir = StreamSupport.stream(pod.path("volumes").spliterator(), false)
                .anyMatch(v -> v.path("name").asText().equals(tmpVolume) && v.has("emptyDir"));
        assertThat(emptyDir).as("/tmp is an emptyDir").isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/dev", "overlays/prod"})
    void podsCarryTheAppLabelsAndSpreadAcrossNodes(String kustomization) {
        JsonNode deployment = objects(kustomization).get("Deployment/rapport");
        JsonNode podLabels =
                deployment.path("spec").path("template").path("metadata").path("labels");
        for (JsonNode labels : List.of(deployment.path("metadata").path("labels"), podLabels)) {
            for (String key : List.of("name", "component", "part-of", "version")) {
                assertThat(labels.path("app.kubernetes.io/" + key).asText())
                        .as("%s label app.kubernetes.io/%s", kustomization, key)
                        .isNotEmpty();
            }
        }
        assertThat(podLabels.path("app.kubernetes.io/name").asText()).isEqualTo("rapport");
        assertSelects(deployment.path("spec").path("selector").path("matchLabels"), podLabels, "selector");
        // One pod per node first (and per zone where there are zones), so losing a node never takes
        // every replica; ScheduleAnyway so a one-node dev cluster still schedules them all.
        Map<String, JsonNode> spread = new HashMap<>();
        deployment
                .path("spec")
                .path("template")
                .path("spec")
                .path("topologySpreadConstraints")
                .forEach(t -> spread.put(t.path("topologyKey").asText(), t));
        assertThat(spread).containsKey("kubernetes.io/hostname");
        for (JsonNode t : spread.values()) {
            assertThat(t.path("maxSkew").asInt()).isEqualTo(1);
            assertThat(t.path("whenUnsatisfiable").asText()).isEqualTo("ScheduleAnyway");
            assertSelects(
                    t.path("labelSelector").path("matchLabels"), podLabels, "spread over " + t.path("topologyKey"));
        }
    }

    /** A selector that is not empty and that Rapport's pods match. */
    private static void assertSelects(JsonNode matchLabels, JsonNode podLabels, String what) {
        assertThat(matchLabels.size()).as(what).isPositive();
        matchLabels
                .properties()
                .forEach(e -> assertThat(podLabels.path(e.getKey()).asText())
                        .as("%s: %s", what, e.getKey())
                        .isEqualTo(e.getValue().asText()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/dev", "overlays/prod"})
    void noImageIsLatestOrUntagged(String kustomization) {
        List<String> images = new ArrayList<>();
        for (JsonNode o : render(kustomization)) {
            o.findValues("image").forEach(i -> images.add(i.asText()));
            o.findValues("imageName").forEach(i -> images.add(i.asText()));
        }
        assertThat(images).hasSizeGreaterThanOrEqualTo(2);
        assertThat(images).allSatisfy(KubernetesManifestsTest::assertPinned);
    }

    static void assertPinned(String image) {
        if (image.contains("@sha256:")) {
            return;
        }
        int slash = image.lastIndexOf('/');
        int colon = image.lastIndexOf(':');
        assertThat(colon).as("%s has a tag", image).isGreaterThan(slash);
        assertThat(image.substring(colon + 1)).as(image).isNotEqualTo("latest");
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/dev", "overlays/prod"})
    void theGracePeriodOutlastsTheShutdownDelayAndTimeout(String kustomization) {
        long grace = objects(kustomization)
                .get("Deployment/rapport")
                .path("spec")
                .path("template")
                .path("spec")
                .path("terminationGracePeriodSeconds")
                .asLong();
        // The audit trail writes its last rows after the requests have drained.
        assertThat(Duration.ofSeconds(grace)).isGreaterThan(AppProperties.longestShutdown());
    }

    @Test
    void replicasAndBudgetsPerOverlay() {
        assertScale("base", 2, "minAvailable", 1);
        assertScale("overlays/dev", 1, "maxUnavailable", 1);
        // One at a time in prod, however far the autoscaler went: minAvailable would let a drain
        // evict all but that many of the pods the load asked for.
        assertScale("overlays/prod", 3, "maxUnavailable", 1);
        assertThat(objects("overlays/prod")
                        .get("PodDisruptionBudget/rapport")
                        .path("spec")
                        .has("minAvailable"))
                .isFalse();
        assertThat(objects("overlays/dev")
                        .get("PodDisruptionBudget/rapport")
                        .path("spec")
                        .has("minAvailable"))
                .isFalse();
    }

    @Test
    void devAsksForLessThanBase() {
        JsonNode base = container("base").path("resources");
        JsonNode dev = container("overlays/dev").path("resources");
        for (String kind : List.of("requests", "limits")) {
            for (String resource : List.of("cpu", "memory")) {
                assertThat(quantity(dev.path(kind).path(resource)))
                        .as("dev %s %s", kind, resource)
                        .isLessThan(quantity(base.path(kind).path(resource)));
            }
        }
    }

    private static BigDecimal quantity(JsonNode value) {
        return Quantity.getAmountInBytes(new Quantity(value.asText()));
    }

    private static void assertScale(String k, int hpaMin, String budgetField, int budget) {
        Map<String, JsonNode> o = objects(k);
        // The autoscaler owns the count: a fixed one would reset a scaled-out Deployment on apply.
        assertThat(o.get("Deployment/rapport").path("spec").has("replicas"))
                .as(k)
                .isFalse();
        JsonNode hpa = o.get("HorizontalPodAutoscaler/rapport").path("spec");
        assertThat(hpa.path("minReplicas").asInt()).as(k).isEqualTo(hpaMin);
        assertThat(hpa.path("maxReplicas").asInt()).as(k).isGreaterThan(hpaMin);
        assertThat(hpa.path("scaleTargetRef").path("name").asText()).isEqualTo("rapport");
        assertThat(hpa.path("metrics").get(0).path("resource").path("name").asText())
                .isEqualTo("cpu");
        assertThat(o.get("PodDisruptionBudget/rapport")
                        .path("spec")
                        .path(budgetField)
                        .asInt())
                .as(k)
                .isEqualTo(budget);
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/dev", "overlays/prod"})
    void theDeploymentUsesTheCloudNativePgSecretAndPrimary(String kustomization) {
        Map<String, JsonNode> o = objects(kustomization);
        String cluster =
                o.get("Cluster/rapport-db").path("metadata").path("name").asText();
        JsonNode spec = o.get("Cluster/rapport-db").path("spec");
        assertThat(spec.path("instances").asInt()).isEqualTo(kustomization.endsWith("dev") ? 1 : 3);
        assertThat(spec.path("imageName").asText()).contains("postgresql:17");
        // An acknowledged event must survive a failover: with standbys, a commit waits for one of
        // them; the single dev instance has none to wait for.
        JsonNode synchronous = spec.path("postgresql").path("synchronous");
        if (kustomization.endsWith("dev")) {
            assertThat(synchronous.isMissingNode())
                    .as("synchronous replication in dev")
                    .isTrue();
            // The operator's budget for a single instance would block every node drain.
            assertThat(spec.path("enablePDB").asBoolean(true))
                    .as("enablePDB in dev")
                    .isFalse();
        } else {
            assertThat(synchronous.path("method").asText()).isEqualTo("any");
            assertThat(synchronous.path("number").asInt())
                    .isBetween(1, spec.path("instances").asInt() - 1);
            assertThat(synchronous.path("dataDurability").asText()).isEqualTo("required");
        }

        // PostgreSQL's shared buffers within a quarter of the instance's memory limit, so its
        // backends' own memory has room below the limit.
        String buffers = spec.path("postgresql")
                .path("parameters")
                .path("shared_buffers")
                .asText();
        assertThat(buffers).as("shared_buffers").matches("\\d+MB");
        BigDecimal sharedBuffers = BigDecimal.valueOf(Long.parseLong(buffers.replace("MB", "")) << 20);
        assertThat(sharedBuffers.multiply(BigDecimal.valueOf(4)))
                .as("4 x shared_buffers in %s", kustomization)
                .isLessThanOrEqualTo(
                        quantity(spec.path("resources").path("limits").path("memory")));

        Map<String, JsonNode> env = env(container(kustomization));
        for (String var : List.of("QUARKUS_DATASOURCE_USERNAME", "QUARKUS_DATASOURCE_PASSWORD")) {
            JsonNode ref = env.get(var).path("valueFrom").path("secretKeyRef");
            assertThat(ref.path("name").asText()).as(var).isEqualTo(cluster + "-app");
            assertThat(ref.path("key").asText()).as(var).isEqualTo(var.endsWith("USERNAME") ? "username" : "password");
        }
        String url = env.get("QUARKUS_DATASOURCE_JDBC_URL").path("value").asText();
        assertThat(url).startsWith("jdbc:postgresql://" + cluster + "-rw:5432/");
        for (String referenced : references(url)) {
            JsonNode ref = env.get(referenced).path("valueFrom").path("secretKeyRef");
            assertThat(ref.path("name").asText()).as(referenced).isEqualTo(cluster + "-app");
        }
        assertThat(env.get("RAPPORT_PSEUDONYM_KEY")
                        .path("valueFrom")
                        .path("secretKeyRef")
                        .path("name")
                        .asText())
                .isEqualTo("rapport-secrets");
    }

    /**
     * As many pods as the autoscaler may run, each with its pools full, fit in the database's
     * max_connections with room to spare for PostgreSQL's reserved superuser slots, CloudNativePG's
     * own sessions and an operator's psql: the main pools all reach the primary, and at worst every
     * reports pool reaches the same standby.
     */
    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/dev", "overlays/prod"})
    void thePodsPoolsFitInTheDatabasesConnections(String kustomization) {
        Map<String, JsonNode> o = objects(kustomization);
        int pods = o.get("HorizontalPodAutoscaler/rapport")
                .path("spec")
                .path("maxReplicas")
                .asInt();
        Map<String, JsonNode> env = env(container(kustomization));
        JsonNode config = o.get("ConfigMap/rapport-config").path("data");
        int main = poolSize(env, config, "QUARKUS_DATASOURCE_JDBC_MAX_SIZE", "quarkus.datasource.jdbc.max-size");
        int reports = poolSize(
                env, config, "QUARKUS_DATASOURCE_REPORTS_JDBC_MAX_SIZE", "quarkus.datasource.reports.jdbc.max-size");
        String cluster =
                o.get("Cluster/rapport-db").path("metadata").path("name").asText();
        boolean reportsOnPrimary = env.get("QUARKUS_DATASOURCE_REPORTS_JDBC_URL")
                .path("value")
                .asText()
                .contains("//" + cluster + "-rw:");
        // Readiness keeps one connection of its own, outside the pools, to the primary.
        int primary = pods * (main + 1 + (reportsOnPrimary ? reports : 0));
        int standby = reportsOnPrimary ? 0 : pods * reports;
        int maxConnections = Integer.parseInt(o.get("Cluster/rapport-db")
                .path("spec")
                .path("postgresql")
                .path("parameters")
                .path("max_connections")
                .asText());
        int spare = 20;
        assertThat(primary).as("%d pods' connections to the primary", pods).isLessThanOrEqualTo(maxConnections - spare);
        assertThat(standby).as("%d pods' connections to one standby", pods).isLessThanOrEqualTo(maxConnections - spare);
    }

    /** A pool's size as the pod sees it: its own env, then the ConfigMap, then the application's. */
    private static int poolSize(Map<String, JsonNode> env, JsonNode config, String variable, String key) {
        if (env.containsKey(variable)) {
            return env.get(variable).path("value").asInt();
        }
        return config.has(variable) ? config.path(variable).asInt() : AppProperties.integer(key, 20);
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/dev", "overlays/prod"})
    void everyEnvironmentNameIsARealConfigKey(String kustomization) {
        JsonNode c = container(kustomization);
        Map<String, JsonNode> env = env(c);
        Set<String> referenced = new TreeSet<>();
        env.values().forEach(v -> referenced.addAll(references(v.path("value").asText())));
        Set<String> names = new TreeSet<>(env.keySet());
        // A variable only there to be spliced into another one, $(DB_NAME), configures nothing itself.
        names.removeAll(referenced);
        Map<String, JsonNode> o = objects(kustomization);
        for (JsonNode from : c.path("envFrom")) {
            String configMap = from.path("configMapRef").path("name").asText();
            o.get("ConfigMap/" + configMap).path("data").fieldNames().forEachRemaining(names::add);
        }
        assertThat(names).contains("RAPPORT_EMBEDDED_DB_ENABLED", "QUARKUS_DATASOURCE_JDBC_URL");
        assertThat(names)
                .allSatisfy(n -> assertThat(ConfigKeys.isKnownEnvironmentVariable(n))
                        .as("%s is a real config key", n)
                        .isTrue());
        assertThat(o.get("ConfigMap/rapport-config")
                        .path("data")
                        .path("RAPPORT_EMBEDDED_DB_ENABLED")
                        .asText())
                .isEqualTo("false");
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/dev", "overlays/prod"})
    void prometheusScrapesTheManagementPortAsJobRapport(String kustomization) {
        Map<String, JsonNode> o = objects(kustomization);
        JsonNode monitor = o.get("ServiceMonitor/rapport").path("spec");
        List<JsonNode> selected = o.values().stream()
                .filter(x -> x.path("kind").asText().equals("Service"))
                .filter(s -> matches(
                        monitor.path("selector").path("matchLabels"),
                        s.path("metadata").path("labels")))
                .toList();
        assertThat(selected).hasSize(1);
        JsonNode service = selected.get(0);
        // The alert rules and the dashboard select job="rapport".
        assertThat(service.path("metadata")
                        .path("labels")
                        .path(monitor.path("jobLabel").asText())
                        .asText())
                .isEqualTo("rapport");
        assertThat(monitor.path("endpoints")).isNotEmpty();
        for (JsonNode endpoint : monitor.path("endpoints")) {
            JsonNode port = StreamSupport.stream(
                            service.path("spec").path("ports").spliterator(), false)
                    .filter(p ->
                            p.path("name").asText().equals(endpoint.path("port").asText()))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no Service port " + endpoint.path("port")));
            assertThat(port.path("port").asInt()).isEqualTo(AppProperties.managementPort());
            assertThat(port.path("targetPort").asText()).isEqualTo("management");
            assertThat(endpoint.path("path").asText()).isEqualTo(AppProperties.metricsPath());
        }
        JsonNode deploymentLabels = o.get("Deployment/rapport")
                .path("spec")
                .path("template")
                .path("metadata")
                .path("labels");
        assertThat(matches(service.path("spec").path("selector"), deploymentLabels))
                .isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/dev", "overlays/prod"})
    void thePrometheusRuleHoldsExactlyTheComposeRules(String kustomization) {
        JsonNode compose = Yaml.file(Path.of("docker/prometheus/rules/rapport.rules.yml"));
        JsonNode rule = objects(kustomization).get("PrometheusRule/rapport").path("spec");
        assertThat(rule)
                .as("k8s/base/prometheusrule.yaml differs from docker/prometheus/rules/rapport.rules.yml:"
                        + " run k8s/generate.sh")
                .isEqualTo(compose);
    }

    /**
     * k8s/monitoring holds the compose stack's dashboard, as Grafana's dashboard sidecar loads it,
     * in the namespace where the README's step 6 says the sidecar watches.
     */
    @Test
    void theMonitoringKustomizationHoldsExactlyTheComposeDashboard() throws IOException {
        List<JsonNode> rendered = render("monitoring");
        assertThat(rendered).hasSize(1);
        JsonNode map = rendered.get(0);
        assertThat(SchemaCheck.problems(map)).isEmpty();
        assertThat(map.path("kind").asText()).isEqualTo("ConfigMap");
        assertThat(map.path("metadata").path("namespace").asText()).isEqualTo("monitoring");
        assertThat(map.path("metadata").path("labels").path("grafana_dashboard").asText())
                .isEqualTo("1");

        String dashboard = Files.readString(Path.of("docker/grafana/dashboards/rapport.json"));
        assertThat(map.path("data").path("rapport.json").asText())
                .as("k8s/monitoring/grafana-dashboard.yaml differs from docker/grafana/dashboards/rapport.json:"
                        + " run k8s/generate.sh")
                .isEqualTo(dashboard);
        // kubectl apply (client side) keeps the whole object, as JSON, in an annotation, which
        // the API server caps at 256 KiB.
        assertThat(new ObjectMapper().writeValueAsBytes(map).length).isLessThan(200 * 1024);
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/dev", "overlays/prod"})
    void theNetworkPolicyLetsInOnlyIngressAndMonitoringAndOutOnlyPostgresAndDns(String kustomization) {
        Map<String, JsonNode> o = objects(kustomization);
        JsonNode policy = o.get("NetworkPolicy/rapport").path("spec");
        assertThat(texts(policy.path("policyTypes"))).containsExactlyInAnyOrder("Ingress", "Egress");
        assertThat(matches(
                        policy.path("podSelector").path("matchLabels"),
                        o.get("Deployment/rapport")
                                .path("spec")
                                .path("template")
                                .path("metadata")
                                .path("labels")))
                .isTrue();

        Map<Integer, Set<String>> ingress = new HashMap<>();
        for (JsonNode rule : policy.path("ingress")) {
            Set<String> from = new TreeSet<>();
            rule.path("from").forEach(f -> {
                assertThat(f.has("ipBlock")).isFalse();
                from.add(f.path("namespaceSelector")
                        .path("matchLabels")
                        .path("kubernetes.io/metadata.name")
                        .asText());
            });
            assertThat(from).doesNotContain("");
            rule.path("ports")
                    .forEach(p -> ingress.computeIfAbsent(p.path("port").asInt(), x -> new TreeSet<>())
                            .addAll(from));
            assertThat(rule.path("ports"))
                    .as("every ingress rule names its ports")
                    .isNotEmpty();
        }
        assertThat(ingress)
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        AppProperties.httpPort(), Set.of("ingress-nginx"),
                        AppProperties.managementPort(), Set.of("monitoring")));

        Set<String> egress = new TreeSet<>();
        for (JsonNode rule : policy.path("egress")) {
            assertThat(rule.path("to")).isNotEmpty();
            rule.path("to").forEach(t -> assertThat(t.has("ipBlock")).isFalse());
            rule.path("ports")
                    .forEach(p -> egress.add(
                            p.path("protocol").asText() + "/" + p.path("port").asInt()));
        }
        assertThat(egress).containsExactlyInAnyOrder("TCP/5432", "UDP/53", "TCP/53");
        JsonNode toPostgres = policy.path("egress").get(0).path("to").get(0);
        assertThat(toPostgres
                        .path("podSelector")
                        .path("matchLabels")
                        .path("cnpg.io/cluster")
                        .asText())
                .isEqualTo(o.get("Cluster/rapport-db")
                        .path("metadata")
                        .path("name")
                        .asText());
    }

    @Test
    void theSecretExampleHoldsPlaceholdersOnlyAndIsNeverApplied() {
        JsonNode example = Yaml.file(K8S.resolve("base/secret.example.yaml"));
        assertThat(SchemaCheck.problems(example)).isEmpty();
        assertNoRealSecret(example);
        assertThat(example.path("stringData").fieldNames()).toIterable().contains("pseudonym-key", "jwt-publickey.pem");

        for (String k : List.of("base", "overlays/dev", "overlays/prod")) {
            for (JsonNode o : render(k)) {
                if (o.path("kind").asText().equals("Secret")) {
                    assertNoRealSecret(o);
                }
            }
            assertThat(objects(k)).doesNotContainKey("Secret/rapport-secrets");
        }
    }

    /** A placeholder says so; anything else in a Secret file could be a real key. */
    static void assertNoRealSecret(JsonNode secret) {
        for (String section : List.of("stringData", "data")) {
            secret.path(section)
                    .properties()
                    .forEach(e -> assertThat(e.getValue().asText())
                            .as("%s.%s", section, e.getKey())
                            .startsWith("REPLACE_ME")
                            .doesNotContain("PRIVATE KEY"));
        }
    }

    private static Map<String, JsonNode> env(JsonNode container) {
        Map<String, JsonNode> env = new HashMap<>();
        container.path("env").forEach(e -> env.put(e.path("name").asText(), e));
        return env;
    }

    private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z0-9_]+)\\)");

    private static Set<String> references(String value) {
        Set<String> names = new TreeSet<>();
        Matcher m = REFERENCE.matcher(value);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static boolean matches(JsonNode selector, JsonNode labels) {
        if (selector.isMissingNode() || selector.isEmpty()) {
            return false;
        }
        for (var e : selector.properties()) {
            if (!labels.path(e.getKey()).asText().equals(e.getValue().asText())) {
                return false;
            }
        }
        return true;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}

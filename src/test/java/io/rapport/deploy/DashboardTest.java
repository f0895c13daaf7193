package io.rapport.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard read as Grafana reads it. Its expressions are evaluated against a real
 * Prometheus by docker/observability-check.sh; what is checked here is what that cannot see: that
 * one Prometheus scraping two deployments (the overlays' rapport and rapport-dev) shows each apart.
 */
class DashboardTest {

    private static final Path DASHBOARD = Path.of("docker/grafana/dashboards/rapport.json");
    private static final JsonNode JSON = read();
    private static final List<String> EXPRESSIONS = panelExpressions(JSON.path("panels"), new ArrayList<>());
    private static final String NAMESPACE_FILTER = "namespace=~\"$namespace\"";

    /** The PromQL functions, aggregations and operators the panels use: any other word is a metric. */
    private static final Set<String> PROMQL_WORDS = Set.of(
            "sum",
            "max",
            "min",
            "avg",
            "count",
            "rate",
            "increase",
            "histogram_quantile",
            "vector",
            "or",
            "and",
            "unless");

    private static final Pattern WORD = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    /** A vector selector with its label matchers: {@code metric{a="b", c=~"d"}}. */
    private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\{([^}]*)}");

    @Test
    void aNamespaceVariableTakesEveryDeploymentAndAllOfThem() {
        JsonNode namespace = variable("namespace");
        assertThat(namespace.path("type").asText()).isEqualTo("query");
        assertThat(namespace.path("query").asText()).isEqualTo("label_values(up{job=\"rapport\"}, namespace)");
        assertThat(namespace.path("multi").asBoolean()).isTrue();
        assertThat(namespace.path("includeAll").asBoolean()).isTrue();
        // ".*" also matches a target without the label, as the Compose stack's is; Grafana's own
        // All would list the values found, and match nothing there.
        assertThat(namespace.path("allValue").asText()).isEqualTo(".*");
        assertThat(namespace.path("current").path("value").get(0).asText()).isEqualTo("$__all");
        // 1 and 2 ask Prometheus when the dashboard loads or the time range changes; 0 never
        // would, and the list would stay empty, All the only choice.
        assertThat(namespace.path("refresh").asInt()).isIn(1, 2);
    }

    @Test
    void everySelectorOfEveryPanelIsNarrowedToTheChosenNamespaces() {
        List<String> selectors = new ArrayList<>();
        for (String expr : EXPRESSIONS) {
            Matcher m = SELECTOR.matcher(expr);
            while (m.find()) {
                selectors.add(m.group());
            }
        }
        assertThat(selectors).hasSizeGreaterThan(40);
        assertThat(selectors).allSatisfy(s -> assertThat(s).contains(NAMESPACE_FILTER));
    }

    /**
     * A gauge is the same figure on every pod of one deployment, so a panel takes the max over pods,
     * but under "All" two deployments (prod and a load test) hold different figures: a max over
     * both showed the larger as the total, and two clinics of one id in two namespaces as one.
     */
    @Test
    void aMaxOverPodsKeepsDeploymentsApart() {
        Pattern maxBy = Pattern.compile("max by \\(([^)]*)\\)");
        int checked = 0;
        for (String expr : EXPRESSIONS) {
            Matcher m = maxBy.matcher(expr);
            while (m.find()) {
                assertThat(m.group(1).split(",\\s*")).as("in %s", expr).contains("namespace");
                checked++;
            }
        }
        assertThat(checked).isPositive();
    }

    /**
     * A metric named without braces ({@code sum(up)}) is a selector the check above cannot see:
     * once the selectors, ranges, groupings and numbers are taken out, only PromQL's own words may
     * be left.
     */
    @Test
    void noPanelNamesAMetricWithoutItsLabelMatchers() {
        for (String expr : EXPRESSIONS) {
            String rest = SELECTOR.matcher(expr)
                    .replaceAll(" ")
                    .replaceAll("\\[[^]]*]", " ")
                    .replaceAll("\\b(by|without|on|ignoring)\\s*\\([^)]*\\)", " ")
                    .replaceAll("\\b\\d+(\\.\\d+)?\\b", " ");
            Matcher word = WORD.matcher(rest);
            while (word.find()) {
                assertThat(word.group()).as("in %s", expr).isIn(PROMQL_WORDS);
            }
        }
    }

    @Test
    void everyPanelAsksTheDataSourceTheReadmeNames() {
        List<JsonNode> sources = JSON.findValues("datasource");
        assertThat(sources).hasSizeGreaterThan(40);
        for (JsonNode source : sources) {
            String type = source.path("type").asText();
            // The annotations' built-in source is Grafana's own; everything else is Prometheus,
            // under the uid the compose provisioning and kube-prometheus-stack both give it.
            if (!type.equals("grafana")) {
                assertThat(type).isEqualTo("prometheus");
                assertThat(source.path("uid").asText()).isEqualTo("prometheus");
            }
        }
    }

    @Test
    void theClinicsOfferedAreThoseOfTheChosenNamespaces() {
        assertThat(variable("clinic").path("query").asText()).contains(NAMESPACE_FILTER);
        // Listed first, the namespace is chosen first, as the clinics offered depend on it (older
        // Grafana versions also resolved variables in the order they are listed).
        assertThat(JSON.path("templating").path("list").get(0).path("name").asText())
                .isEqualTo("namespace");
    }

    private static List<String> panelExpressions(JsonNode panels, List<String> out) {
        for (JsonNode panel : panels) {
            panelExpressions(panel.path("panels"), out);
            for (JsonNode target : panel.path("targets")) {
                if (target.hasNonNull("expr")) {
                    out.add(target.path("expr").asText());
                }
            }
        }
        return out;
    }

    private static JsonNode variable(String name) {
        for (JsonNode v : JSON.path("templating").path("list")) {
            if (v.path("name").asText().equals(name)) {
                return v;
            }
        }
        throw new AssertionError("the dashboard has no variable $" + name);
    }

    private static JsonNode read() {
        try {
            return new ObjectMapper().readTree(DASHBOARD.toFile());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + DASHBOARD, e);
        }
    }
}

package io.rapport.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The schema check itself: a misspelled or unknown field anywhere must be reported, by path. */
class SchemaCheckTest {

    private static ObjectNode base(String file) {
        return (ObjectNode) Yaml.file(Path.of("k8s/base").resolve(file)).deepCopy();
    }

    @Test
    void theFilesAsWrittenPass() {
        for (String file : new String[] {
            "deployment.yaml", "service.yaml", "servicemonitor.yaml", "prometheusrule.yaml", "postgres/cluster.yaml"
        }) {
            assertThat(SchemaCheck.problems(base(file))).as(file).isEmpty();
        }
    }

    @Test
    void aMisspelledFieldDeepInADeploymentIsReported() {
        ObjectNode deployment = base("deployment.yaml");
        ObjectNode probe = (ObjectNode) deployment.at("/spec/template/spec/containers/0/readinessProbe");
        probe.set("httpGett", probe.remove("httpGet"));

        assertThat(SchemaCheck.problems(deployment))
                .containsExactly("spec.template.spec.containers[0].readinessProbe.httpGett (unknown field)");
    }

    @Test
    void anUnknownTopLevelFieldIsReported() {
        ObjectNode deployment = base("deployment.yaml");
        ((ObjectNode) deployment.get("spec")).put("replica", 3);

        assertThat(SchemaCheck.problems(deployment)).containsExactly("spec.replica (unknown field)");
    }

    @Test
    void aMisspelledFieldInAServiceMonitorIsReported() {
        ObjectNode monitor = base("servicemonitor.yaml");
        ObjectNode spec = (ObjectNode) monitor.get("spec");
        spec.set("endpoint", spec.remove("endpoints"));

        assertThat(SchemaCheck.problems(monitor)).containsExactly("spec.endpoint (unknown field)");
    }

    @Test
    void aMisspelledFieldInAPrometheusRuleIsReported() {
        ObjectNode rule = base("prometheusrule.yaml");
        ((ObjectNode) rule.at("/spec/groups/0/rules/0")).put("fore", "5m");

        assertThat(SchemaCheck.problems(rule)).containsExactly("spec.groups[0].rules[0].fore (unknown field)");
    }

    @Test
    void cloudNativePgFieldsAreCheckedAgainstTheApiReference() {
        ObjectNode cluster = base("postgres/cluster.yaml");
        ObjectNode spec = (ObjectNode) cluster.get("spec");
        spec.set("instance", spec.remove("instances"));
        ((ObjectNode) spec.get("storage")).put("sise", "1Gi");
        ((ObjectNode) spec.at("/resources/limits")).removeAll();
        ((ObjectNode) spec.get("resources")).putObject("limit").put("memory", "1Gi");

        assertThat(SchemaCheck.problems(cluster))
                .containsExactlyInAnyOrder(
                        "spec.instance (not a field of ClusterSpec in the CloudNativePG 1.26 API reference)",
                        "spec.storage.sise (not a field of StorageConfiguration in the CloudNativePG 1.26 API reference)",
                        "spec.resources.limit (unknown field)");
    }

    @Test
    void aCloudNativePgValueOfTheWrongShapeIsReported() {
        ObjectNode cluster = base("postgres/cluster.yaml");
        ((ObjectNode) cluster.get("spec")).putObject("instances").put("count", 3);

        assertThat(SchemaCheck.problems(cluster)).containsExactly("spec.instances: expected a single value");
    }

    @Test
    void anObjectOfAnUnknownKindIsReported() {
        JsonNode unknown = Yaml.documents("apiVersion: example.org/v1\nkind: Gadget\nmetadata: {name: x}\n")
                .get(0);

        assertThat(SchemaCheck.problems(unknown)).containsExactly("no schema known for example.org/v1/Gadget");
    }
}

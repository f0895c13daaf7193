package io.rapport.deploy;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks Kubernetes objects against their schemas, so that a misspelled or unknown field fails
 * instead of being dropped silently by the API server.
 *
 * <p>Core objects and the Prometheus Operator's go through the fabric8 model: a field the model
 * does not know lands in some object's {@code additionalProperties}, and every such map must stay
 * empty. A CloudNativePG {@code Cluster} goes through the field tables of
 * {@code src/test/resources/deploy/cnpg-1.26-cluster.yaml}, written from that operator version's API
 * reference, with the Kubernetes types inside it back in the fabric8 model.
 */
final class SchemaCheck {

    static final String CNPG_CLUSTER = "postgresql.cnpg.io/v1/Cluster";

    private static final Map<String, Class<?>> MODELS = Map.of(
            "v1/Service", Service.class,
            "v1/ConfigMap", ConfigMap.class,
            "v1/Secret", Secret.class,
            "apps/v1/Deployment", Deployment.class,
            "autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
            "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class,
            "monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class,
            "monitoring.coreos.com/v1/PrometheusRule", PrometheusRule.class);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode CNPG = Yaml.file(Path.of("src/test/resources/deploy/cnpg-1.26-cluster.yaml"));

    private SchemaCheck() {}

    /** Every field no schema knows, as a path such as {@code spec.template.spec.containers[0].portz}. */
    static List<String> problems(JsonNode object) {
        String type =
                object.path("apiVersion").asText() + "/" + object.path("kind").asText();
        if (type.equals(CNPG_CLUSTER)) {
            List<String> found = new ArrayList<>();
            cnpg(object, "Cluster", "", found);
            return found;
        }
        Class<?> model = MODELS.get(type);
        if (model == null) {
            return List.of("no schema known for " + type);
        }
        return fabric8(object, model, "");
    }

    static List<String> fabric8(JsonNode node, Class<?> model, String path) {
        Object value;
        try {
            value = JSON.treeToValue(node, model);
        } catch (JsonProcessingException e) {
            return List.of(path + ": " + e.getOriginalMessage());
        }
        List<String> found = new ArrayList<>();
        walk(value, path, found);
        return found;
    }

    private static void walk(Object o, String path, List<String> found) {
        if (o == null) {
            return;
        }
        if (o instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                walk(list.get(i), path + "[" + i + "]", found);
            }
            return;
        }
        if (o instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, join(path, k), found));
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Class<?> c = o.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) || f.isSynthetic()) {
                    continue;
                }
                Object v = read(f, o);
                if (f.getName().equals("additionalProperties") && v instanceof Map<?, ?> extra) {
                    extra.keySet().forEach(k -> found.add(join(path, k) + " (unknown field)"));
                } else {
                    walk(v, join(path, jsonName(f)), found);
                }
            }
        }
    }

    private static Object read(Field f, Object o) {
        try {
            f.setAccessible(true);
            return f.get(o);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String jsonName(Field f) {
        JsonProperty p = f.getAnnotation(JsonProperty.class);
        return p != null && !p.value().isEmpty() ? p.value() : f.getName();
    }

    private static String join(String path, Object key) {
        return path.isEmpty() ? String.valueOf(key) : path + "." + key;
    }

    private static void cnpg(JsonNode node, String type, String path, List<String> found) {
        JsonNode fields = CNPG.get(type);
        if (fields == null) {
            found.add(path + ": type " + type + " is not in cnpg-1.26-cluster.yaml");
            return;
        }
        if (!node.isObject()) {
            found.add(path + ": expected an object (" + type + ")");
            return;
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String at = join(path, e.getKey());
            JsonNode kind = fields.get(e.getKey());
            if (kind == null) {
                found.add(at + " (not a field of " + type + " in the CloudNativePG 1.26 API reference)");
                continue;
            }
            checkCnpgField(e.getValue(), kind.asText(), at, found);
        }
    }

    private static void checkCnpgField(JsonNode value, String kind, String at, List<String> found) {
        switch (kind) {
            case "scalar" -> {
                if (!value.isValueNode()) {
                    found.add(at + ": expected a single value");
                }
            }
            case "scalars" -> {
                if (!value.isArray() || !allValues(value)) {
                    found.add(at + ": expected a list of values");
                }
            }
            case "map" -> {
                if (!value.isObject() || !allValues(value)) {
                    found.add(at + ": expected a map of values");
                }
            }
            case "unlisted" ->
                found.add(at + ": documented, but its fields are not in cnpg-1.26-cluster.yaml yet;"
                        + " add them from the API reference");
            default -> {
                if (kind.startsWith("k8s:")) {
                    found.addAll(fabric8(value, k8sClass(kind.substring(4)), at));
                } else {
                    cnpg(value, kind, at, found);
                }
            }
        }
    }

    private static boolean allValues(JsonNode container) {
        for (JsonNode v : container) {
            if (!v.isValueNode()) {
                return false;
            }
        }
        return true;
    }

    private static Class<?> k8sClass(String simpleName) {
        try {
            return Class.forName("io.fabric8.kubernetes.api.model." + simpleName);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("No fabric8 class for " + simpleName, e);
        }
    }

    /** Objects of a rendered stream by "Kind/name", for lookups in tests. */
    static Map<String, JsonNode> byKindAndName(List<JsonNode> objects) {
        Map<String, JsonNode> m = new LinkedHashMap<>();
        for (JsonNode o : objects) {
            m.put(
                    o.path("kind").asText() + "/"
                            + o.path("metadata").path("name").asText(),
                    o);
        }
        return m;
    }
}

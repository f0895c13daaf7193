package io.rapport.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Renders a kustomization with {@code kubectl kustomize}, exactly as {@code kubectl apply -k} would.
 * The manifests keep to what kustomize v2.0.3 understands, so Debian's kubectl (package
 * kubernetes-client, kubectl 1.20) renders them the same as a current one; .ci/run installs it
 * where no kubectl is found.
 */
final class Kustomize {

    private static final Map<Path, List<JsonNode>> RENDERED = new ConcurrentHashMap<>();

    private Kustomize() {}

    static List<JsonNode> render(Path dir) {
        return RENDERED.computeIfAbsent(dir.toAbsolutePath().normalize(), Kustomize::run);
    }

    private static List<JsonNode> run(Path dir) {
        try {
            File err = Files.createTempFile("kustomize", ".err").toFile();
            try {
                Process p = new ProcessBuilder(kubectl(), "kustomize", dir.toString())
                        .redirectError(err)
                        .start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError("kubectl kustomize " + dir + " did not finish in 120 s");
                }
                if (p.exitValue() != 0) {
                    throw new AssertionError("kubectl kustomize " + dir + " failed: "
                            + Files.readString(err.toPath(), StandardCharsets.UTF_8));
                }
                return Yaml.documents(out);
            } finally {
                err.delete();
            }
        } catch (IOException e) {
            throw new AssertionError("Could not run kubectl kustomize " + dir + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static String kubectl() {
        String configured = System.getenv("KUBECTL");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "kubectl");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new AssertionError("kubectl is needed to render k8s/ and is not on the PATH. Install it"
                + " (Debian: apt-get install -y kubernetes-client; .ci/run does this) or set KUBECTL.");
    }
}

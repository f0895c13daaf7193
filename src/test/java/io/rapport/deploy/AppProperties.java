package io.rapport.deploy;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Properties;

/**
 * Rapport's own application.properties, read as the prod profile sees it, so the deployment files
 * are checked against the ports, paths and timings the service really uses.
 */
final class AppProperties {

    private static final Properties PROPS = load(Path.of("src/main/resources/application.properties"));

    private AppProperties() {}

    static String get(String key, String fallback) {
        return PROPS.getProperty("%prod." + key, PROPS.getProperty(key, fallback))
                .trim();
    }

    static int integer(String key, int fallback) {
        return Integer.parseInt(get(key, Integer.toString(fallback)));
    }

    static Duration duration(String key, Duration fallback) {
        String v = PROPS.getProperty("%prod." + key, PROPS.getProperty(key));
        return v == null ? fallback : parseDuration(v.trim());
    }

    /**
     * The longest a stop of Rapport takes: the shutdown delay, the requests' drain (the shutdown
     * timeout), then the audit trail's last rows. What a container runtime must wait before killing it.
     */
    static Duration longestShutdown() {
        Duration delay = duration("quarkus.shutdown.delay", null);
        Duration timeout = duration("quarkus.shutdown.timeout", null);
        if (delay == null || timeout == null) {
            throw new AssertionError(
                    "quarkus.shutdown.delay and quarkus.shutdown.timeout must be in application.properties");
        }
        return delay.plus(timeout).plus(io.rapport.audit.AuditTrail.SHUTDOWN_DRAIN);
    }

    static int httpPort() {
        return integer("quarkus.http.port", 8080);
    }

    static int managementPort() {
        return integer("quarkus.management.port", 9000);
    }

    /** A health path as served on the management interface, e.g. {@code /q/health/ready}. */
    static String healthPath(String which) {
        String sub = get("quarkus.smallrye-health." + which + "-path", defaultHealthSub(which));
        String root = get("quarkus.smallrye-health.root-path", "health");
        String base = root.startsWith("/") ? root : managementRoot() + "/" + root;
        return normalise(sub.startsWith("/") ? sub : base + "/" + sub);
    }

    static String metricsPath() {
        String path = get("quarkus.micrometer.export.prometheus.path", "metrics");
        return normalise(path.startsWith("/") ? path : managementRoot() + "/" + path);
    }

    private static String managementRoot() {
        return get("quarkus.management.root-path", "/q");
    }

    private static String defaultHealthSub(String which) {
        return switch (which) {
            case "readiness" -> "ready";
            case "liveness" -> "live";
            case "startup" -> "started";
            default -> throw new IllegalArgumentException(which);
        };
    }

    private static String normalise(String path) {
        return ("/" + path).replaceAll("/+", "/");
    }

    /** Quarkus' forms: {@code 30s}, {@code 500ms}, {@code 1m}, ISO-8601 {@code PT30S}, or bare seconds. */
    static Duration parseDuration(String v) {
        String s = v.toLowerCase(Locale.ROOT);
        if (s.startsWith("pt") || s.startsWith("p")) {
            return Duration.parse(v.toUpperCase(Locale.ROOT));
        }
        if (s.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
        }
        if (s.endsWith("s")) {
            return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
        }
        if (s.endsWith("m")) {
            return Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
        }
        if (s.endsWith("h")) {
            return Duration.ofHours(Long.parseLong(s.substring(0, s.length() - 1)));
        }
        return Duration.ofSeconds(Long.parseLong(s));
    }

    private static Properties load(Path path) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}

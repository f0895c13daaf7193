package io.rapport.deploy;

import io.rapport.config.RapportConfig;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which environment variables name a real configuration key, so that a deployment file cannot set
 * one that Rapport silently ignores (a typo such as RAPPORT_PSEUDONYM_KY). The {@code rapport.*}
 * keys come from {@link RapportConfig} itself; the others are listed here, each one a key that the
 * framework or a library in the build reads.
 */
final class ConfigKeys {

    /** Keys outside {@code rapport.*} that the deployment files may set. */
    private static final Set<String> OTHER_KEYS = Set.of(
            // Quarkus: the external PostgreSQL and the pool size.
            "quarkus.datasource.jdbc.url",
            "quarkus.datasource.username",
            "quarkus.datasource.password",
            "quarkus.datasource.jdbc.max-size",
            // The optional read-replica datasource for manager queries.
            "quarkus.datasource.reports.jdbc.url",
            "quarkus.datasource.reports.username",
            "quarkus.datasource.reports.password",
            // SmallRye JWT (bearer tokens): where the identity provider's public key or JWKS is,
            // the issuer it writes into tokens, and the audience it writes into Rapport's.
            "mp.jwt.verify.publickey.location",
            "mp.jwt.verify.issuer",
            "mp.jwt.verify.audiences");

    private static final List<Pattern> ACCEPTED = accepted();

    private ConfigKeys() {}

    static boolean isKnownEnvironmentVariable(String name) {
        return ACCEPTED.stream().anyMatch(p -> p.matcher(name).matches());
    }

    /** Every {@code rapport.*} key that RapportConfig maps, with {@code *} for a map key. */
    static List<String> rapportKeys() {
        List<String> keys = new ArrayList<>();
        collect(RapportConfig.class, "rapport", keys);
        return keys;
    }

    private static void collect(Class<?> group, String prefix, List<String> keys) {
        for (Method m : group.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.isDefault() || m.getParameterCount() > 0) {
                continue;
            }
            String name = m.isAnnotationPresent(WithParentName.class)
                    ? prefix
                    : prefix + "."
                            + (m.isAnnotationPresent(WithName.class)
                                    ? m.getAnnotation(WithName.class).value()
                                    : kebab(m.getName()));
            Class<?> type = m.getReturnType();
            if (java.util.Map.class.isAssignableFrom(type)) {
                Type value = ((ParameterizedType) m.getGenericReturnType()).getActualTypeArguments()[1];
                if (value instanceof Class<?> c && isGroup(c)) {
                    collect(c, name + ".*", keys);
                } else {
                    keys.add(name + ".*");
                }
            } else if (isGroup(type)) {
                collect(type, name, keys);
            } else {
                keys.add(name);
            }
        }
    }

    private static boolean isGroup(Class<?> type) {
        return type.isInterface() && type.getName().startsWith("io.rapport.");
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    private static List<Pattern> accepted() {
        List<String> keys = new ArrayList<>(rapportKeys());
        keys.addAll(OTHER_KEYS);
        return keys.stream().map(ConfigKeys::envPattern).toList();
    }

    /** MicroProfile Config's environment form: every other character becomes _, all upper case. */
    private static Pattern envPattern(String key) {
        StringBuilder regex = new StringBuilder();
        for (String part : key.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append("[A-Z0-9_]+");
            }
            regex.append(Pattern.quote(part.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT)));
        }
        return Pattern.compile(regex.toString());
    }
}

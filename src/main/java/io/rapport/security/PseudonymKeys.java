package io.rapport.security;

import io.rapport.config.RapportConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The configured pseudonym keys, by id, and which one is active. One place reads them, so the
 * startup refusal and the pseudonymizer can never disagree about what is configured.
 */
public record PseudonymKeys(String activeId, Map<String, String> secrets) {

    /** The id under which the single {@code rapport.pseudonym.key} is known. */
    public static final String DEFAULT_ID = "default";

    /** The key dev mode uses; refused in prod, like any placeholder. */
    public static final String DEV_KEY = "rapport-dev-key-not-secret";

    static final int MIN_BYTES = 32;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    private static final String GENERATE = "generate one with `openssl rand -base64 48`";

    /** The keys as configured, or the reason they cannot be used. {@code prod} applies the strength rules. */
    public static Result read(RapportConfig.Pseudonym config, boolean prod) {
        Map<String, String> secrets = new TreeMap<>(config.keys());
        Optional<String> single = config.key().filter(k -> !k.isBlank());
        if (single.isPresent()) {
            if (secrets.containsKey(DEFAULT_ID)) {
                return Result.refused("rapport.pseudonym.key and rapport.pseudonym.keys." + DEFAULT_ID
                        + " are both set: keep one of them");
            }
            secrets.put(DEFAULT_ID, single.get());
        }
        if (secrets.isEmpty()) {
            if (prod) {
                return Result.refused("no pseudonym key is configured: set RAPPORT_PSEUDONYM_KEY (" + GENERATE
                        + "), or rapport.pseudonym.keys.<id> with rapport.pseudonym.active-key");
            }
            secrets.put(DEFAULT_ID, DEV_KEY);
        }
        for (var e : secrets.entrySet()) {
            if (!ID.matcher(e.getKey()).matches()) {
                return Result.refused("rapport.pseudonym.keys." + e.getKey()
                        + ": a key id is 1-32 characters of letters, digits, '_' and '-'");
            }
            if (prod) {
                Optional<String> weak = weakness(e.getValue());
                if (weak.isPresent()) {
                    return Result.refused(setting(e.getKey(), single.isPresent()) + " " + weak.get() + ": " + GENERATE);
                }
            }
        }
        String active = config.activeKey().filter(a -> !a.isBlank()).orElse(null);
        if (active == null) {
            if (secrets.size() > 1) {
                return Result.refused(
                        "several pseudonym keys are configured: set rapport.pseudonym.active-key to the one that makes new pseudonyms");
            }
            active = secrets.keySet().iterator().next();
        } else if (!secrets.containsKey(active)) {
            return Result.refused("rapport.pseudonym.active-key names '" + active + "', which is not configured");
        }
        return new Result(new PseudonymKeys(active, Map.copyOf(secrets)), null);
    }

    /** Why a secret is not fit for real patients, if it is not. */
    static Optional<String> weakness(String secret) {
        String lower = secret.toLowerCase(Locale.ROOT);
        if (DEV_KEY.equals(secret)) {
            return Optional.of("is the development key");
        }
        if (secret.contains("<")
                || secret.contains(">")
                || lower.contains("changeme")
                || lower.contains("change-me")
                || lower.contains("your key")
                || lower.contains("your-key")
                || lower.contains("placeholder")
                || lower.contains("replace_me")
                || lower.contains("replace-me")
                || lower.contains("replaceme")
                || lower.contains("not-secret")) {
            return Optional.of("looks like a placeholder");
        }
        if (secret.getBytes(StandardCharsets.UTF_8).length < MIN_BYTES) {
            return Optional.of("is shorter than " + MIN_BYTES + " bytes");
        }
        return Optional.empty();
    }

    private static String setting(String id, boolean fromSingle) {
        return fromSingle && DEFAULT_ID.equals(id) ? "RAPPORT_PSEUDONYM_KEY" : "rapport.pseudonym.keys." + id;
    }

    /** Ids of the keys that are configured but no longer make new pseudonyms. */
    public List<String> formerIds() {
        List<String> ids = new ArrayList<>(new TreeMap<>(secrets).keySet());
        ids.remove(activeId);
        return ids;
    }

    /** Either usable keys or the one-line reason why not. */
    public record Result(PseudonymKeys keys, String refusal) {
        static Result refused(String why) {
            return new Result(null, why);
        }
    }
}

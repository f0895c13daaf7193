package io.rapport.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * How the keys of {@link RapportConfig}'s maps (instrument cutoffs by code, ingest limits by token
 * subject) are matched. A key set by environment variable cannot arrive as written: SmallRye
 * Config does not know a map's keys in advance, so {@code RAPPORT_INSTRUMENTS_SRS_CUTOFF} gives
 * the key {@code srs}, and the quoted form {@code RAPPORT_INSTRUMENTS__WAI_SR__CUTOFF} gives
 * {@code wai.sr}. Matched exactly, both were ignored without a word and the cutoff stayed the
 * built-in one. Keys and the names looked up are therefore compared folded.
 */
public final class MapKeys {

    private MapKeys() {}

    /** Upper case, every character but an ASCII letter or digit as {@code _}: WAI-SR, wai.sr → WAI_SR. */
    public static String folded(String key) {
        String upper = key.toUpperCase(Locale.ROOT);
        StringBuilder out = new StringBuilder(upper.length());
        for (int i = 0; i < upper.length(); i++) {
            char c = upper.charAt(i);
            out.append((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ? c : '_');
        }
        return out.toString();
    }

    /**
     * The map keyed by folded key. Where two keys fold alike (SRS in a properties file, srs from
     * the environment) the one that sorts first wins, upper case before lower, so the choice never
     * depends on a hash order.
     */
    public static <V> Map<String, V> folded(Map<String, V> map) {
        Map<String, V> out = new LinkedHashMap<>();
        new TreeMap<>(map).forEach((key, value) -> out.putIfAbsent(folded(key), value));
        return out;
    }
}

package io.rapport.instrument;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The result of scoring one set of answers.
 *
 * @param complete false when too many answers were missing to form a total; then total,
 *     category and normalized are null and subscales is empty
 * @param subscales subscale name to score, in the definition's order; a subscale none of whose
 *     items was answered maps to null
 * @param category name of the first category whose bounds hold the total; null when none does
 * @param normalized the total placed on 0..1 between the instrument's lowest and highest total,
 *     so instruments on different scales can share one chart
 */
public record Score(boolean complete, Double total, Map<String, Double> subscales, String category, Double normalized) {

    public Score {
        // LinkedHashMap rather than Map.copyOf: order matters and a value may be null.
        subscales = subscales == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(subscales));
    }

    static Score incomplete() {
        return new Score(false, null, Map.of(), null, null);
    }
}

package io.rapport.trend;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Rounding at the edge: every number an answer carries goes through here once, so the same
 * figure prints the same in JSON and CSV, in the summary and in the provider comparison, and
 * float noise such as 3.3499999999999996 never reaches a manager. Half-up, to a fixed precision
 * per kind of number (README, "How the numbers are defined").
 */
final class Round {

    /** Shares, rates, ratios and correlations. */
    static final int SHARE = 4;
    /** Durations in seconds. */
    static final int SECONDS = 1;
    /** Instrument totals, NPS, and means of counts. */
    static final int SCORE = 2;

    private Round() {}

    static Double to(Double value, int decimals) {
        if (value == null || value.isNaN() || value.isInfinite()) {
            return value == null || value.isNaN() ? null : value;
        }
        // BigDecimal.valueOf reads the double's shortest decimal form, so 2.675 rounds as written.
        return BigDecimal.valueOf(value)
                .setScale(decimals, RoundingMode.HALF_UP)
                .doubleValue();
    }

    static Double share(Double value) {
        return to(value, SHARE);
    }

    static Double seconds(Double value) {
        return to(value, SECONDS);
    }

    static Double score(Double value) {
        return to(value, SCORE);
    }
}

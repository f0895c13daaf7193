package io.rapport.trend;

import java.math.BigDecimal;
import java.math.MathContext;
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

    /**
     * A mean or an interpolation of decimals carries binary noise in its last digits: the mean of
     * 0.4065 and 0.4066 is 0.40654999999999997 as a double, and the median of 2.3 and 2.4 is
     * 2.3499999999999996. Rounded as they stand, such halves went down, where the manager's own
     * arithmetic, and half-up, take them up. Read first to 12 significant digits, a double's
     * noise (its 16th or 17th, or a few units more after a long sum) is gone, while any figure
     * stated to 12 digits or fewer, which every input of the service is in practice, keeps its
     * value.
     */
    private static final MathContext WITHOUT_NOISE = new MathContext(12, RoundingMode.HALF_EVEN);

    private Round() {}

    static Double to(Double value, int decimals) {
        if (value == null || value.isNaN() || value.isInfinite()) {
            return value == null || value.isNaN() ? null : value;
        }
        // BigDecimal.valueOf reads the double's shortest decimal form, so 2.675 rounds as written.
        return BigDecimal.valueOf(value)
                .round(WITHOUT_NOISE)
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

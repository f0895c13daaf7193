package io.rapport.instrument;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/** Decimal arithmetic for scores, so a total reads as the number a clinician would add up by hand. */
final class Numbers {

    /** Ten places hide binary noise (9.1 + 8.7 is not 17.8 in doubles) and keep every real digit. */
    static final int SCALE = 10;

    static final MathContext CONTEXT = MathContext.DECIMAL128;

    private Numbers() {}

    static BigDecimal exact(double d) {
        return BigDecimal.valueOf(d);
    }

    static double rounded(BigDecimal d) {
        return d.setScale(SCALE, RoundingMode.HALF_EVEN).doubleValue();
    }

    /** 10 rather than 10.0, and 0.1 rather than 0.1000000000000000055511151231257827. */
    static String format(double d) {
        if (!Double.isFinite(d)) {
            return Double.toString(d);
        }
        return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }
}

package io.rapport.trend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** percentile_cont by selection, against values worked by hand and against a full sort. */
class ExactPercentileTest {

    @Test
    void interpolatesAsPercentileContDoes() {
        // Sorted: 1 2 3 4 10. p50 at position 2: 3. p90 at 3.6: 4 + 0.6 x (10 - 4) = 7.6.
        // p95 at 3.8: 4 + 0.8 x 6 = 8.8.
        Double[] p = ExactPercentile.cont(new double[] {10, 3, 1, 4, 2}, 0.5, 0.9, 0.95);
        assertThat(p[0]).isEqualTo(3.0);
        assertThat(p[1]).isCloseTo(7.6, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(p[2]).isCloseTo(8.8, org.assertj.core.data.Offset.offset(1e-12));
        // Even count: 1 2 | 3 4: p50 at 1.5 is 2.5.
        assertThat(ExactPercentile.cont(new double[] {4, 1, 3, 2}, 0.5)[0]).isEqualTo(2.5);
        assertThat(ExactPercentile.cont(new double[] {7}, 0.5, 0.9)).containsExactly(7.0, 7.0);
        assertThat(ExactPercentile.cont(new double[0], 0.5)).isNull();
    }

    @Test
    void selectionGivesTheSortedValuesEvenWithLongRunsOfTies() {
        Random random = new Random(42);
        for (int round = 0; round < 300; round++) {
            int n = 1 + random.nextInt(round < 150 ? 40 : 5_000);
            double[] values = new double[n];
            for (int i = 0; i < n; i++) {
                // Few distinct values in some rounds (waits of 0 s, drop counts), all distinct in others.
                values[i] = round % 3 == 0 ? random.nextInt(3) : random.nextDouble() * 1000;
            }
            double[] sorted = values.clone();
            Arrays.sort(sorted);
            double[] fractions = {0.0, 0.5, 0.9, 0.95, 1.0};
            // All fractions from one call, as the summary asks, and each alone.
            Double[] together = ExactPercentile.cont(values.clone(), fractions);
            for (int k = 0; k < fractions.length; k++) {
                double f = fractions[k];
                double position = f * (n - 1);
                int lo = (int) Math.floor(position);
                int hi = (int) Math.ceil(position);
                double expected = sorted[lo] + (position - lo) * (sorted[hi] - sorted[lo]);
                assertThat(together[k])
                        .as("n %d, fraction %s with the others", n, f)
                        .isEqualTo(expected);
                assertThat(ExactPercentile.cont(values.clone(), f)[0])
                        .as("n %d, fraction %s", n, f)
                        .isEqualTo(expected);
            }
        }
    }

    @Test
    void alreadySortedAndReversedInputsStaySelectable() {
        double[] up = new double[100_000];
        for (int i = 0; i < up.length; i++) {
            up[i] = i;
        }
        double[] down = up.clone();
        for (int i = 0; i < down.length; i++) {
            down[i] = up.length - 1 - i;
        }
        // p90 at 0.9 x 99,999 = 89,999.1.
        assertThat(ExactPercentile.cont(up, 0.9)[0]).isCloseTo(89_999.1, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(ExactPercentile.cont(down, 0.9)[0]).isCloseTo(89_999.1, org.assertj.core.data.Offset.offset(1e-6));
    }
}

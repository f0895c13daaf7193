package io.rapport.trend;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How one metric moves with an instrument's total, over the rated visits that have the metric:
 * n, Pearson r, and ntile(4) quartiles of the metric (ordered by value, ties by visit id as
 * PostgreSQL's "C" collation orders them) with each quartile's bounds and mean total. Exact: two
 * passes for r, one sort per metric for the quartiles; no sampling.
 */
final class DriverStats {

    /**
     * The rated visits of one answer, column-wise, added in visit id order (the query sorts them):
     * a visit's place is its rank among the ids. A missing metric value is NaN.
     */
    static final class Pairs {
        private int size;
        private double[] totals = new double[1024];
        private final double[][] metrics;

        Pairs(int metricCount) {
            metrics = new double[metricCount][1024];
        }

        void add(double total, Double[] metricValues) {
            if (size == totals.length) {
                totals = Arrays.copyOf(totals, size * 2);
                for (int m = 0; m < metrics.length; m++) {
                    metrics[m] = Arrays.copyOf(metrics[m], size * 2);
                }
            }
            totals[size] = total;
            for (int m = 0; m < metricValues.length; m++) {
                // + 0.0 turns -0.0 into 0.0: PostgreSQL orders them as equal (ties then go by visit
                // id), while Java's sort puts -0.0 first. The validation lets -0.0 through.
                metrics[m][size] = metricValues[m] == null ? Double.NaN : metricValues[m] + 0.0;
            }
            size++;
        }

        int size() {
            return size;
        }
    }

    record Quartile(int quartile, int n, Double lower, Double upper, Double meanTotal) {}

    record Result(int n, Double correlation, List<Quartile> quartiles) {}

    private DriverStats() {}

    /** Every metric's statistics. */
    static List<Result> of(Pairs pairs) {
        List<Result> out = new ArrayList<>(pairs.metrics.length);
        for (int m = 0; m < pairs.metrics.length; m++) {
            out.add(of(pairs.metrics[m], pairs.totals, pairs.size()));
        }
        return out;
    }

    private static Result of(double[] xs, double[] totals, int size) {
        double[] sorted = new double[size];
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (!Double.isNaN(xs[i])) {
                sorted[n++] = xs[i];
            }
        }
        Arrays.sort(sorted, 0, n);
        // ntile(4): quartile q holds sorted positions start[q] .. start[q + 1] - 1, and the first
        // n mod 4 quartiles hold one more.
        int[] start = new int[5];
        for (int q = 0; q < 4; q++) {
            start[q + 1] = start[q] + n / 4 + (q < n % 4 ? 1 : 0);
        }
        Ties ties = new Ties(sorted, start, n);
        double[] sums = new double[4];
        double sx = 0;
        double sy = 0;
        double minY = Double.POSITIVE_INFINITY;
        double maxY = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < size; i++) {
            if (!Double.isNaN(xs[i])) {
                sums[ties.quartile(xs[i])] += totals[i];
                sx += xs[i];
                sy += totals[i];
                minY = Math.min(minY, totals[i]);
                maxY = Math.max(maxY, totals[i]);
            }
        }
        // Null, as PostgreSQL's corr, for fewer than two pairs or a metric or total that never
        // varies. That is decided on the values themselves, not on a sum of squares: the mean of
        // five 0.46s is 0.4600000000000001, so their squared deviations do not sum to exactly 0.
        boolean constant = n < 2 || sorted[0] == sorted[n - 1] || minY == maxY;
        Double r = constant ? null : pearson(xs, totals, size, sx / n, sy / n);
        List<Quartile> quartiles = new ArrayList<>(4);
        for (int q = 0; q < 4; q++) {
            int count = start[q + 1] - start[q];
            quartiles.add(
                    count == 0
                            ? new Quartile(q + 1, 0, null, null, null)
                            : new Quartile(q + 1, count, sorted[start[q]], sorted[start[q + 1] - 1], sums[q] / count));
        }
        return new Result(n, r, quartiles);
    }

    /**
     * Which quartile a value falls in, for values fed in visit id order. One sort of the values
     * gives the quartiles' bounds; a value's quartile is then found by comparing it with them,
     * except for a value whose run of equal values crosses a boundary: those visits take the run's
     * positions in turn, in visit id order, as ntile over (value, visit id) places them. Sorting
     * (value, visit id) pairs instead took most of the drivers' Java time.
     */
    private static final class Ties {
        private final double[] sorted;
        private final int[] start;
        private final int n;
        /** Up to three values whose runs cross a boundary, each with its next position. */
        private final double[] split = new double[3];

        private final int[] next = new int[3];
        private int splits;

        Ties(double[] sorted, int[] start, int n) {
            this.sorted = sorted;
            this.start = start;
            this.n = n;
            for (int q = 1; q < 4; q++) {
                int at = start[q];
                if (at > 0 && at < n && Double.compare(sorted[at - 1], sorted[at]) == 0 && split(sorted[at]) < 0) {
                    int first = at;
                    while (first > 0 && Double.compare(sorted[first - 1], sorted[at]) == 0) {
                        first--;
                    }
                    split[splits] = sorted[at];
                    next[splits++] = first;
                }
            }
        }

        /** The index of x among the values whose runs cross a boundary, or -1. */
        private int split(double x) {
            for (int k = 0; k < splits; k++) {
                if (Double.compare(split[k], x) == 0) {
                    return k;
                }
            }
            return -1;
        }

        /** The 0-based quartile of the next visit in visit id order with this value. */
        int quartile(double x) {
            int k = split(x);
            if (k >= 0) {
                return quartileAt(next[k]++);
            }
            int q = 0;
            for (int b = 1; b < 4; b++) {
                if (start[b] < n && Double.compare(x, sorted[start[b]]) >= 0) {
                    q = b;
                }
            }
            return q;
        }

        private int quartileAt(int position) {
            int q = 0;
            for (int b = 1; b < 4; b++) {
                if (start[b] <= position) {
                    q = b;
                }
            }
            return q;
        }
    }

    /** Pearson's r over the visits that have the metric, given both means; both sides vary. */
    private static double pearson(double[] xs, double[] ys, int size, double mx, double my) {
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < size; i++) {
            if (!Double.isNaN(xs[i])) {
                sxy += (xs[i] - mx) * (ys[i] - my);
                sxx += (xs[i] - mx) * (xs[i] - mx);
                syy += (ys[i] - my) * (ys[i] - my);
            }
        }
        return sxy / Math.sqrt(sxx * syy);
    }
}

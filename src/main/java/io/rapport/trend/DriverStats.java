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
                metrics[m][size] = metricValues[m] == null ? Double.NaN : metricValues[m];
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
        int[] order = byValueThenVisitId(xs, size);
        int n = order.length;
        Double r = pearson(xs, totals, order);
        List<Quartile> quartiles = new ArrayList<>(4);
        int from = 0;
        for (int q = 1; q <= 4; q++) {
            // ntile(4): the first n mod 4 quartiles hold one more.
            int count = n / 4 + (q <= n % 4 ? 1 : 0);
            if (count == 0) {
                quartiles.add(new Quartile(q, 0, null, null, null));
                continue;
            }
            double sum = 0;
            for (int k = from; k < from + count; k++) {
                sum += totals[order[k]];
            }
            quartiles.add(new Quartile(q, count, xs[order[from]], xs[order[from + count - 1]], sum / count));
            from += count;
        }
        return new Result(n, r, quartiles);
    }

    /**
     * The places of the visits that have a value, ordered by value and then by place (visit id).
     * Each value is replaced by its rank among the distinct values, so that (rank, place) packs
     * into one long and the order is a sort of primitives: sorting boxed points with a comparator
     * was a third of the drivers' time.
     */
    private static int[] byValueThenVisitId(double[] xs, int size) {
        double[] distinct = new double[size];
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (!Double.isNaN(xs[i])) {
                distinct[n++] = xs[i];
            }
        }
        Arrays.sort(distinct, 0, n);
        int unique = 0;
        for (int i = 0; i < n; i++) {
            if (unique == 0 || Double.compare(distinct[i], distinct[unique - 1]) != 0) {
                distinct[unique++] = distinct[i];
            }
        }
        long[] keys = new long[n];
        int k = 0;
        for (int i = 0; i < size; i++) {
            if (!Double.isNaN(xs[i])) {
                long rank = Arrays.binarySearch(distinct, 0, unique, xs[i]);
                keys[k++] = rank << 32 | i;
            }
        }
        Arrays.sort(keys);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = (int) keys[i];
        }
        return order;
    }

    /** Null, as PostgreSQL's corr, for fewer than two pairs or a metric or total that never varies. */
    private static Double pearson(double[] xs, double[] ys, int[] places) {
        int n = places.length;
        if (n < 2) {
            return null;
        }
        double mx = 0;
        double my = 0;
        for (int i : places) {
            mx += xs[i];
            my += ys[i];
        }
        mx /= n;
        my /= n;
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i : places) {
            sxy += (xs[i] - mx) * (ys[i] - my);
            sxx += (xs[i] - mx) * (xs[i] - mx);
            syy += (ys[i] - my) * (ys[i] - my);
        }
        if (sxx == 0 || syy == 0) {
            return null;
        }
        return sxy / Math.sqrt(sxx * syy);
    }
}

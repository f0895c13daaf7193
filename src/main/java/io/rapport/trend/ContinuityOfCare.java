package io.rapport.trend;

import java.util.Arrays;

/**
 * UPC, Bice-Boxerman COC and the provider switch rate of a window, from its visits fed once,
 * patient by patient, each patient's in (start, visit id) order: one pass, a few counters per
 * patient, nothing kept across patients. PostgreSQL computed the same with a grouping for the
 * counts and a window function for the switches, two more passes over a year of a busy clinic
 * than this needs (README, "Manager queries").
 *
 * <p>Over patients with two or more visits in the window: UPC is the share of a patient's visits
 * with their most-seen provider, COC is (sum of squared per-provider counts - n) / (n (n - 1)),
 * both averaged over patients; a switch is a visit whose patient's previous visit in the window was
 * with another provider, as a share of all visits that have a previous one.
 */
final class ContinuityOfCare {

    private long patients;
    private double upcSum;
    private double cocSum;
    private long pairs;
    private long switches;

    private int previousProvider = -1;
    private int visits;

    /** The current patient's providers (numbers) and their visit counts: a patient sees a few. */
    private int[] providers = new int[4];

    private int[] counts = new int[4];
    private int seen;

    /** The next patient's visits follow. */
    void patient() {
        endPatient();
        previousProvider = -1;
    }

    /** The current patient's next visit, with provider number {@code provider}. */
    void visit(int provider) {
        visits++;
        count(provider);
        if (previousProvider >= 0) {
            pairs++;
            if (previousProvider != provider) {
                switches++;
            }
        }
        previousProvider = provider;
    }

    private void count(int provider) {
        for (int i = 0; i < seen; i++) {
            if (providers[i] == provider) {
                counts[i]++;
                return;
            }
        }
        if (seen == providers.length) {
            providers = Arrays.copyOf(providers, 2 * seen);
            counts = Arrays.copyOf(counts, 2 * seen);
        }
        providers[seen] = provider;
        counts[seen++] = 1;
    }

    private void endPatient() {
        if (visits >= 2) {
            int top = 0;
            long squares = 0;
            for (int i = 0; i < seen; i++) {
                top = Math.max(top, counts[i]);
                squares += (long) counts[i] * counts[i];
            }
            patients++;
            upcSum += (double) top / visits;
            cocSum += (double) (squares - visits) / ((double) visits * (visits - 1));
        }
        seen = 0;
        visits = 0;
    }

    /** The figures over every visit fed so far; no patient qualifies, no figures. */
    Summary.Continuity result() {
        endPatient();
        if (patients == 0) {
            return new Summary.Continuity(0, null, null, null);
        }
        return new Summary.Continuity(
                patients,
                Round.share(upcSum / patients),
                Round.share(cocSum / patients),
                Round.share((double) switches / pairs));
    }
}

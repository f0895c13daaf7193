package io.rapport.trend;

import java.util.HashMap;
import java.util.Map;

/**
 * UPC, Bice-Boxerman COC and the provider switch rate of a window, from its visits fed once in
 * (patient, start, visit id) order: one pass, a few counters per patient, nothing kept across
 * patients. PostgreSQL computed the same with a grouping for the counts and a window function for
 * the switches, two more passes over a year of a busy clinic than this needs (README, "Manager
 * queries").
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

    private String patient;
    private String previousProvider;
    private int visits;
    private final Map<String, Integer> perProvider = new HashMap<>();

    /** The next visit, in (patient, start, visit id) order. */
    void add(String patientPseudonym, String providerId) {
        if (!patientPseudonym.equals(patient)) {
            endPatient();
            patient = patientPseudonym;
            previousProvider = null;
        }
        visits++;
        perProvider.merge(providerId, 1, Integer::sum);
        if (previousProvider != null) {
            pairs++;
            if (!previousProvider.equals(providerId)) {
                switches++;
            }
        }
        previousProvider = providerId;
    }

    private void endPatient() {
        if (visits >= 2) {
            int top = 0;
            long squares = 0;
            for (int n : perProvider.values()) {
                top = Math.max(top, n);
                squares += (long) n * n;
            }
            patients++;
            upcSum += (double) top / visits;
            cocSum += (double) (squares - visits) / ((double) visits * (visits - 1));
        }
        perProvider.clear();
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

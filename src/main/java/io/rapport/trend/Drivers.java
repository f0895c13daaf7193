package io.rapport.trend;

import java.util.List;

/**
 * How each per-visit metric moves with an instrument's total: the join no vendor makes. Echoes
 * the window and filters it was computed for.
 */
public record Drivers(
        String clinicId,
        String from,
        String to,
        String tz,
        String modality,
        String providerId,
        String instrument,
        long ratedVisits,
        List<Driver> drivers)
        implements Echoed {

    public record Driver(String metric, long n, Double correlation, boolean suppressed, List<Quartile> quartiles) {}

    /**
     * Quartile 1 holds the lowest values of the metric; {@code lower} and {@code upper} are the
     * lowest and highest value in the quartile (null when it is empty).
     */
    public record Quartile(int quartile, long n, Double lower, Double upper, Double meanTotal) {}
}

package io.rapport.trend;

import java.util.List;

/** How each per-visit metric moves with an instrument's total: the join no vendor makes. */
public record Drivers(String instrument, long ratedVisits, List<Driver> drivers) {

    public record Driver(String metric, long n, Double correlation, boolean suppressed, List<Quartile> quartiles) {}

    /** Quartile 1 holds the lowest values of the metric. */
    public record Quartile(int quartile, long n, Double meanTotal) {}
}

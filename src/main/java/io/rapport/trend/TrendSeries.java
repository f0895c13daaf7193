package io.rapport.trend;

import java.util.List;

/**
 * One metric over time, one series per group, one point per bucket (empty buckets included),
 * echoing the window and filters it was computed for.
 */
public record TrendSeries(
        String clinicId,
        String from,
        String to,
        String tz,
        String modality,
        String providerId,
        String metric,
        String interval,
        String stat,
        String groupBy,
        List<Series> series)
        implements Echoed {

    public record Series(String group, List<Point> points) {}

    /** {@code start} is the bucket's first local date; {@code visits} counts the observations in it. */
    public record Point(String start, long visits, Double value, boolean suppressed) {}
}

package io.rapport.trend;

import java.util.List;

/** One metric over time, one series per group, one point per bucket (empty buckets included). */
public record TrendSeries(String metric, String interval, String stat, List<Series> series) {

    public record Series(String group, List<Point> points) {}

    /** {@code start} is the bucket's first local date; {@code visits} counts the observations in it. */
    public record Point(String start, long visits, Double value, boolean suppressed) {}
}

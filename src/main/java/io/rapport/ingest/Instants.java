package io.rapport.ingest;

import io.rapport.error.Violation;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Bounds on the instants events carry. Without them a platform's clock bug does lasting harm: a
 * recordedAt in 2062 would make every later correction look stale, and a year like +300000 is
 * beyond what PostgreSQL stores.
 */
public final class Instants {

    public static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    /** How far ahead a measured instant may be: clocks drift, platforms batch across midnight. */
    public static final Duration MAX_AHEAD = Duration.ofDays(1);
    /** How far ahead a schedule may be, for visits booked and recorded early. */
    public static final Duration MAX_SCHEDULED_AHEAD = Duration.ofDays(366);

    private Instants() {}

    /** A measured instant: not before 1970 and not more than a day from now. */
    public static void measured(List<Violation> out, String field, Instant value, Instant now) {
        if (value == null) {
            return;
        }
        if (value.isBefore(EARLIEST)) {
            out.add(new Violation(field, "must not be before 1970-01-01"));
        } else if (value.isAfter(now.plus(MAX_AHEAD))) {
            out.add(new Violation(field, "must not be more than 1 day in the future"));
        }
    }

    /** A scheduled instant: not before 1970 and not more than a year from now. */
    public static void scheduled(List<Violation> out, String field, Instant value, Instant now) {
        if (value == null) {
            return;
        }
        if (value.isBefore(EARLIEST)) {
            out.add(new Violation(field, "must not be before 1970-01-01"));
        } else if (value.isAfter(now.plus(MAX_SCHEDULED_AHEAD))) {
            out.add(new Violation(field, "must not be more than a year in the future"));
        }
    }
}

package io.rapport.trend;

import io.rapport.config.Ids;
import io.rapport.error.ProblemException;
import io.rapport.error.Violation;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The slice of one clinic's visits a query looks at: visits whose start lies in
 * [from 00:00, to 00:00) in the zone {@code tz}, optionally one modality or one provider.
 */
record TrendWindow(String clinicId, LocalDate from, LocalDate to, ZoneId tz, String modality, String providerId) {

    static final int MAX_DAYS = 400;
    static final int DEFAULT_DAYS = 90;
    private static final Set<String> MODALITIES = Set.of("VIDEO", "PHONE", "IN_PERSON", "MESSAGING");

    Instant start() {
        return from.atStartOfDay(tz).toInstant();
    }

    Instant end() {
        return to.atStartOfDay(tz).toInstant();
    }

    /**
     * Reads the common query parameters, naming every bad one at once, with {@code endpoints}: the
     * endpoint's own parameters' violations, so one 400 names them all (in field order then).
     */
    static TrendWindow parse(
            String clinicId,
            String from,
            String to,
            String tz,
            String modality,
            String providerId,
            List<Violation> endpoints) {
        List<Violation> violations = new ArrayList<>();
        if (!Ids.valid(clinicId)) {
            violations.add(new Violation("clinicId", Ids.MESSAGE));
        }
        ZoneId zone = ZoneId.of("UTC");
        if (tz != null) {
            try {
                zone = ZoneId.of(tz);
                // The buckets and the window are Java's alone (TrendSql.series gets instants), but
                // a name should mean one thing to whoever reads the query: Java reads "+05:00" and
                // "UTC+5" as UTC+5, POSIX and PostgreSQL's AT TIME ZONE as UTC-5; PostgreSQL reads
                // CET as a fixed UTC+1 abbreviation where Java keeps summer time, and under the
                // Australia set EST is UTC+10. An abbreviation never holds a slash; UTC and GMT
                // are UTC in every set.
                if (zone instanceof ZoneOffset || (tz.indexOf('/') < 0 && !tz.equals("UTC") && !tz.equals("GMT"))) {
                    throw new DateTimeException("offset or abbreviation");
                }
            } catch (DateTimeException e) {
                violations.add(new Violation(
                        "tz",
                        "must be an IANA time zone name such as Europe/Berlin, or UTC"
                                + " (not an offset, and not an abbreviation such as CET)"));
            }
        }
        LocalDate toDate = date(to, "to", violations);
        LocalDate fromDate = date(from, "from", violations);
        if (toDate == null && to == null) {
            toDate = LocalDate.now(zone).plusDays(1);
        }
        if (fromDate == null && from == null && toDate != null) {
            // No earlier than the earliest date a caller may name: nothing is stored before it.
            fromDate = latest(toDate.minusDays(DEFAULT_DAYS), EARLIEST);
        }
        if (fromDate != null && toDate != null) {
            if (!fromDate.isBefore(toDate)) {
                // The violation names a parameter the caller sent.
                violations.add(
                        from == null
                                ? new Violation(
                                        "to", "must be after 1970-01-01, where the window starts at the earliest")
                                : new Violation("from", "must be before to (to is exclusive)"));
            } else if (ChronoUnit.DAYS.between(fromDate, toDate) > MAX_DAYS) {
                violations.add(
                        to == null
                                ? new Violation(
                                        "from",
                                        "must be at most " + MAX_DAYS
                                                + " days before to, which is tomorrow when not given")
                                : new Violation("to", "must be at most " + MAX_DAYS + " days after from"));
            }
        }
        if (modality != null && !MODALITIES.contains(modality)) {
            violations.add(new Violation("modality", "must be one of VIDEO, PHONE, IN_PERSON, MESSAGING"));
        }
        if (providerId != null && !Ids.valid(providerId)) {
            violations.add(new Violation("providerId", Ids.MESSAGE));
        }
        if (!endpoints.isEmpty()) {
            violations.addAll(endpoints);
            violations.sort(Violation.BY_FIELD);
        }
        if (!violations.isEmpty()) {
            throw ProblemException.invalid(violations);
        }
        return new TrendWindow(clinicId, fromDate, toDate, zone, modality, providerId);
    }

    private static final LocalDate EARLIEST = LocalDate.of(1970, 1, 1);

    private static LocalDate latest(LocalDate a, LocalDate b) {
        return a.isAfter(b) ? a : b;
    }

    private static LocalDate date(String value, String name, List<Violation> violations) {
        if (value == null) {
            return null;
        }
        try {
            LocalDate date = LocalDate.parse(value);
            if (date.getYear() >= 1970 && date.getYear() <= 9999) {
                return date;
            }
        } catch (DateTimeParseException e) {
            // reported below
        }
        violations.add(new Violation(name, "must be a date from 1970 to 9999 such as 2026-03-01"));
        return null;
    }
}

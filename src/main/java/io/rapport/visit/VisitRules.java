package io.rapport.visit;

import io.rapport.error.Violation;
import io.rapport.ingest.Instants;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The rules that relate one field of a visit to another, or to the clock. */
final class VisitRules {

    static final int MAX_DURATION_SECONDS = 24 * 60 * 60;
    static final Duration MAX_DURATION = Duration.ofSeconds(MAX_DURATION_SECONDS);

    private VisitRules() {}

    static List<Violation> check(VisitEvent e, Instant now) {
        List<Violation> out = new ArrayList<>();
        Instants.measured(out, "startedAt", e.startedAt(), now);
        Instants.measured(out, "endedAt", e.endedAt(), now);
        Instants.measured(out, "recordedAt", e.recordedAt(), now);
        Instants.scheduled(out, "scheduledStart", e.scheduledStart(), now);
        if (e.startedAt() != null && e.endedAt() != null) {
            if (e.endedAt().isBefore(e.startedAt())) {
                out.add(new Violation("endedAt", "must not be before startedAt"));
            } else {
                Duration between = Duration.between(e.startedAt(), e.endedAt());
                // Whole seconds for the message and the face-to-face bound; the limit itself
                // compares the whole duration, or 24 h and 0.9 s passed as 86,400 s.
                long duration = between.getSeconds();
                if (between.compareTo(MAX_DURATION) > 0) {
                    out.add(new Violation("endedAt", "must be at most 24 h after startedAt"));
                }
                if (e.faceToFaceSeconds() != null && e.faceToFaceSeconds() > duration) {
                    out.add(new Violation(
                            "faceToFaceSeconds",
                            "must not exceed the visit's duration (endedAt - startedAt = " + duration + " s)"));
                }
            }
        }
        if (e.scheduledStart() != null
                && e.startedAt() != null
                && Duration.between(e.scheduledStart(), e.startedAt()).abs().compareTo(MAX_DURATION) > 0) {
            // A wait (or an early start) over a day is another appointment or a clock bug: a 1970
            // schedule made a wait of 56 years and moved every wait percentile of the clinic.
            out.add(new Violation("scheduledStart", "must be within 24 h of startedAt"));
        }
        if (e.afterHoursDocumentationSeconds() != null
                && e.documentationSeconds() != null
                && e.afterHoursDocumentationSeconds() > e.documentationSeconds()) {
            out.add(new Violation("afterHoursDocumentationSeconds", "must not exceed documentationSeconds"));
        }
        return out;
    }
}

package io.rapport.visit;

import java.time.Duration;
import java.time.Instant;

/**
 * The figures derived from a visit's raw fields. The trend SQL (view {@code visit_facts}) computes
 * the same ones in the database; {@code VisitResourceTest} and the trend tests pin both.
 */
final class VisitDerived {

    private VisitDerived() {}

    static Double waitSeconds(Instant scheduledStart, Instant startedAt) {
        if (scheduledStart == null) {
            return null;
        }
        double seconds = Duration.between(scheduledStart, startedAt).toNanos() / 1e9;
        return Math.max(0.0, seconds);
    }

    static Double faceToFaceShare(int faceToFaceSeconds, int documentationSeconds) {
        int total = faceToFaceSeconds + documentationSeconds;
        return total == 0 ? null : (double) faceToFaceSeconds / total;
    }
}

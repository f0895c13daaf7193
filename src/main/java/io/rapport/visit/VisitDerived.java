package io.rapport.visit;

import java.time.Duration;
import java.time.Instant;

/**
 * The figures derived from a visit's raw fields. The database computes the same ones into
 * {@code visit}'s generated columns (migration V15, read through the {@code visit_fact} view) for
 * the trend queries; {@code VisitResourceTest} and the trend tests pin both.
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

    /** Null for a message thread: it has no face-to-face time by nature, so no share of it. */
    static Double faceToFaceShare(Modality modality, int faceToFaceSeconds, int documentationSeconds) {
        int total = faceToFaceSeconds + documentationSeconds;
        return modality == Modality.MESSAGING || total == 0 ? null : (double) faceToFaceSeconds / total;
    }
}

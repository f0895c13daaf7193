package io.rapport.visit;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * A validated visit ready to store: patient id already pseudonymised, instants cut to the
 * microseconds PostgreSQL keeps (so a retry compares equal to what was stored).
 */
public record NewVisit(
        String clinicId,
        String visitId,
        String providerId,
        String patientPseudonym,
        Modality modality,
        Instant scheduledStart,
        Instant startedAt,
        Instant endedAt,
        int faceToFaceSeconds,
        int documentationSeconds,
        Integer afterHoursDocumentationSeconds,
        Double responseLatencySeconds,
        Double patientTalkShare,
        Integer connectionDrops,
        Instant recordedAt) {

    static NewVisit from(VisitEvent e, String pseudonym, Instant receivedAt) {
        return new NewVisit(
                e.clinicId(),
                e.visitId(),
                e.providerId(),
                pseudonym,
                Modality.valueOf(e.modality()),
                micros(e.scheduledStart()),
                micros(e.startedAt()),
                micros(e.endedAt()),
                e.faceToFaceSeconds(),
                e.documentationSeconds(),
                e.afterHoursDocumentationSeconds(),
                e.responseLatencySeconds(),
                e.patientTalkShare(),
                e.connectionDrops(),
                e.recordedAt() == null ? micros(receivedAt) : micros(e.recordedAt()));
    }

    private static Instant micros(Instant i) {
        return i == null ? null : i.truncatedTo(ChronoUnit.MICROS);
    }

    /** startedAt - scheduledStart, floored at 0; null without a schedule. */
    Double waitSeconds() {
        return VisitDerived.waitSeconds(scheduledStart, startedAt);
    }

    Double faceToFaceShare() {
        return VisitDerived.faceToFaceShare(modality, faceToFaceSeconds, documentationSeconds);
    }

    long durationSeconds() {
        return Duration.between(startedAt, endedAt).getSeconds();
    }
}

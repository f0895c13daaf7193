package io.rapport.visit;

import java.time.Duration;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A stored visit as the API shows it: the posted fields but the patient, plus derived figures. */
@Schema(name = "Visit")
public record VisitView(
        String clinicId,
        String visitId,
        String providerId,
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
        Instant recordedAt,

        @Schema(description = "startedAt - scheduledStart in seconds, floored at 0; null without scheduledStart")
        Double waitSeconds,

        long durationSeconds,

        @Schema(
                description = "faceToFaceSeconds / (faceToFaceSeconds + documentationSeconds); null when both are 0"
                        + " and for MESSAGING, which has no face-to-face time")
        Double faceToFaceShare,

        int revision,

        @Schema(description = "When the stored revision arrived")
        Instant receivedAt) {

    /** The visit as a write just stored it: the stored row is the posted visit. */
    static VisitView written(NewVisit v, int revision, Instant receivedAt) {
        return new VisitView(
                v.clinicId(),
                v.visitId(),
                v.providerId(),
                v.modality(),
                v.scheduledStart(),
                v.startedAt(),
                v.endedAt(),
                v.faceToFaceSeconds(),
                v.documentationSeconds(),
                v.afterHoursDocumentationSeconds(),
                v.responseLatencySeconds(),
                v.patientTalkShare(),
                v.connectionDrops(),
                v.recordedAt(),
                v.waitSeconds(),
                v.durationSeconds(),
                v.faceToFaceShare(),
                revision,
                receivedAt);
    }

    static VisitView from(Visit v) {
        return new VisitView(
                v.clinicId,
                v.visitId,
                v.providerId,
                v.modality,
                v.scheduledStart,
                v.startedAt,
                v.endedAt,
                v.faceToFaceSeconds,
                v.documentationSeconds,
                v.afterHoursDocumentationSeconds,
                v.responseLatencySeconds,
                v.patientTalkShare,
                v.connectionDrops,
                v.recordedAt,
                VisitDerived.waitSeconds(v.scheduledStart, v.startedAt),
                Duration.between(v.startedAt, v.endedAt).getSeconds(),
                VisitDerived.faceToFaceShare(v.modality, v.faceToFaceSeconds, v.documentationSeconds),
                v.revision,
                v.receivedAt);
    }
}

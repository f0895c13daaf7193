package io.rapport.alert;

import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

@Schema(name = "Alert")
public record AlertView(
        long id,
        String visitId,
        String providerId,
        String instrument,
        double total,

        @Schema(description = "BELOW_CUTOFF or DROP_FROM_PREVIOUS")
        String reason,

        @Schema(description = "The patient's previous total with this provider (DROP_FROM_PREVIOUS)")
        Double previousTotal,

        Double cutoff,
        Instant raisedAt,

        @Schema(description = "OPEN, ACKNOWLEDGED or RESOLVED")
        String status,

        Instant acknowledgedAt,

        @Schema(description = "The subject (sub) of the token that acknowledged it")
        String acknowledgedBy,

        String note,
        Instant resolvedAt) {

    /**
     * The alert as a platform's post of its rating is answered: without who acknowledged it and
     * their note. Those are a manager's, free text about a patient among them, and an ingest token
     * may post events but read nothing of what managers did with them.
     */
    public AlertView withoutHandling() {
        return new AlertView(
                id,
                visitId,
                providerId,
                instrument,
                total,
                reason,
                previousTotal,
                cutoff,
                raisedAt,
                status,
                acknowledgedAt,
                null,
                null,
                resolvedAt);
    }
}

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
        Instant resolvedAt) {}

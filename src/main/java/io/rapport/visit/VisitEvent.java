package io.rapport.visit;

import io.rapport.config.Ids;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** One visit as a platform posts it. Cross-field rules live in {@link VisitRules}. */
@Schema(name = "VisitEvent", description = "One telehealth visit, posted by the platform after it ends")
public record VisitEvent(
        @NotNull @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE)
        String clinicId,

        @NotNull @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE)
        String visitId,

        @NotNull @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE)
        String providerId,

        @Schema(description = "Never stored: replaced by an HMAC pseudonym on arrival")
        @NotNull
        @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE)
        String patientId,

        @Schema(enumeration = {"VIDEO", "PHONE", "IN_PERSON", "MESSAGING"})
        @NotNull
        @Pattern(
                regexp = "VIDEO|PHONE|IN_PERSON|MESSAGING",
                message = "must be one of VIDEO, PHONE, IN_PERSON, MESSAGING")
        String modality,

        Instant scheduledStart,
        @NotNull Instant startedAt,
        @NotNull Instant endedAt,

        @Schema(description = "At most endedAt - startedAt", maximum = "" + VisitRules.MAX_DURATION_SECONDS)
        @NotNull
        @Min(value = 0, message = "must be at least 0")
        @Max(value = VisitRules.MAX_DURATION_SECONDS, message = "must be at most " + VisitRules.MAX_DURATION_SECONDS)
        Integer faceToFaceSeconds,

        @NotNull
        @Min(value = 0, message = "must be at least 0")
        @Max(value = MAX_DOCUMENTATION_SECONDS, message = "must be at most " + MAX_DOCUMENTATION_SECONDS)
        Integer documentationSeconds,

        @Schema(description = "At most documentationSeconds", maximum = "" + MAX_DOCUMENTATION_SECONDS)
        @Min(value = 0, message = "must be at least 0")
        @Max(value = MAX_DOCUMENTATION_SECONDS, message = "must be at most " + MAX_DOCUMENTATION_SECONDS)
        Integer afterHoursDocumentationSeconds,

        @DecimalMin(value = "0", message = "must be at least 0")
        @DecimalMax(value = MAX_RESPONSE_LATENCY_SECONDS, message = "must be at most " + MAX_RESPONSE_LATENCY_SECONDS)
        Double responseLatencySeconds,

        @DecimalMin(value = "0", message = "must be between 0 and 1")
        @DecimalMax(value = "1", message = "must be between 0 and 1")
        Double patientTalkShare,

        @Min(value = 0, message = "must be at least 0")
        @Max(value = MAX_CONNECTION_DROPS, message = "must be at most " + MAX_CONNECTION_DROPS)
        Integer connectionDrops,

        @Schema(description = "When the platform measured this; orders corrections. Default: time received")
        Instant recordedAt) {

    // One source for each bound: Bean Validation enforces it and the OpenAPI document shows it.
    static final int MAX_DOCUMENTATION_SECONDS = 86_400;
    /** A week: the slowest reply to a message that still counts. */
    static final String MAX_RESPONSE_LATENCY_SECONDS = "604800";

    static final int MAX_CONNECTION_DROPS = 1000;
}

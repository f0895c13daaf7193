package io.rapport.visit;

import io.rapport.ingest.Ids;
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

        @NotNull @Min(value = 0, message = "must be at least 0")
        Integer faceToFaceSeconds,

        @NotNull @Min(value = 0, message = "must be at least 0") @Max(value = 86400, message = "must be at most 86400")
        Integer documentationSeconds,

        @Min(value = 0, message = "must be at least 0") Integer afterHoursDocumentationSeconds,

        @DecimalMin(value = "0", message = "must be at least 0")
        @DecimalMax(value = "604800", message = "must be at most 604800")
        Double responseLatencySeconds,

        @DecimalMin(value = "0", message = "must be between 0 and 1")
        @DecimalMax(value = "1", message = "must be between 0 and 1")
        Double patientTalkShare,

        @Min(value = 0, message = "must be at least 0") @Max(value = 1000, message = "must be at most 1000")
        Integer connectionDrops,

        @Schema(description = "When the platform measured this; orders corrections. Default: time received")
        Instant recordedAt) {}

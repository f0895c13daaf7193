package io.rapport.rating;

import io.rapport.config.Ids;
import io.rapport.openapi.ContractFilter;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A patient's answers to one instrument after one visit. */
@Schema(name = "RatingEvent")
public record RatingEvent(
        @NotNull @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE)
        String clinicId,

        @NotNull @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE)
        String visitId,

        @Schema(description = "Instrument code: SRS, WAI-SR, CARE, NPS, RAPPORT-5 or one the clinic registered")
        @NotNull
        @Pattern(regexp = "[A-Z0-9][A-Z0-9_-]{0,31}", message = "must be an instrument code such as SRS")
        String instrument,

        @Schema(
                description = "Answers in item order; null for a missing answer",
                extensions = @Extension(name = ContractFilter.NULLABLE_ITEMS, value = "true"))
        @NotNull
        List<Double> items,

        @Schema(description = "When the patient submitted the survey") @NotNull
        Instant submittedAt,

        @Schema(description = "When the platform recorded this; orders corrections. Default: time received")
        Instant recordedAt) {}

package io.rapport.rating;

import io.rapport.alert.AlertView;
import io.rapport.openapi.ContractFilter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A stored rating with its score and the alerts it holds open. */
@Schema(name = "Rating")
public record RatingView(
        String clinicId,
        String visitId,
        String instrument,

        @Schema(
                description = "Answers in item order; null for a missing answer",
                extensions = @Extension(name = ContractFilter.NULLABLE_ITEMS, value = "true"))
        List<Double> items,

        Instant submittedAt,
        Instant recordedAt,

        @Schema(description = "false when too many answers were missing to score (CARE with more than 2)")
        boolean complete,

        Double total,
        Map<String, Double> subscales,

        @Schema(description = "NPS: promoter, passive or detractor")
        String category,

        int revision,
        Instant receivedAt,

        @Schema(description = "Alerts on this rating that are not resolved")
        List<AlertView> alerts) {

    /** The rating as the answer to a platform's post: its alerts {@link AlertView#withoutHandling}. */
    RatingView forPlatform() {
        return new RatingView(
                clinicId,
                visitId,
                instrument,
                items,
                submittedAt,
                recordedAt,
                complete,
                total,
                subscales,
                category,
                revision,
                receivedAt,
                alerts.stream().map(AlertView::withoutHandling).toList());
    }
}

package io.rapport.trend;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A clinic's headline numbers over a window, echoing the window and filters it was computed for.
 * Statistics over nothing are null. Face-to-face figures and the documentation ratio cover live
 * visits only; response latency is live turn-taking, message replies are their own figure.
 */
public record Summary(
        String clinicId,
        String from,
        String to,
        String tz,
        String modality,
        String providerId,
        long visits,
        Spread faceToFaceShare,
        Spread faceToFaceSeconds,
        Spread documentationSeconds,
        Spread afterHoursDocumentationSeconds,
        Double documentationToFaceToFaceRatio,
        Wait waitSeconds,
        Latency responseLatencySeconds,
        Percentiles messageReplySeconds,
        Mean patientTalkShare,
        Mean connectionDrops,
        Map<String, RatingStats> ratings,
        Continuity continuity,
        long openAlerts)
        implements Echoed {

    public record Spread(Double mean, Double p50, Double p90) {}

    public record Wait(Double p50, Double p90, Double shareOver300s) {}

    public record Percentiles(Double p50, Double p90, Double p95) {}

    /** Live modalities only; {@code byModality} holds VIDEO, PHONE and IN_PERSON as they occur. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Latency(Double p50, Double p90, Double p95, Map<String, Percentiles> byModality) {}

    public record Mean(Double mean) {}

    /**
     * One instrument's ratings on visits in the window. With fewer than
     * rapport.trends.min-group-size complete ratings the rating statistics are null and suppressed.
     */
    public record RatingStats(
            long responses,
            Double responseRate,
            Double meanTotal,
            Double belowCutoffShare,
            Double npsScore,
            boolean suppressed) {}

    /**
     * Over patients with at least two visits in the window; filtered by a provider, over the
     * patients that provider saw, with all their visits in the window.
     */
    @Schema(
            description = "Over patients with at least two visits in the window; filtered by providerId, over the"
                    + " patients that provider saw, with all their visits in the window, whichever provider")
    public record Continuity(long patients, Double upc, Double coc, Double providerSwitchRate) {}
}

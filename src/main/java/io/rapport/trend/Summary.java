package io.rapport.trend;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/** A clinic's headline numbers over a window. Statistics over nothing are null. */
public record Summary(
        String clinicId,
        String from,
        String to,
        String tz,
        long visits,
        Spread faceToFaceShare,
        Spread faceToFaceSeconds,
        Spread documentationSeconds,
        Spread afterHoursDocumentationSeconds,
        Double documentationToFaceToFaceRatio,
        Wait waitSeconds,
        Latency responseLatencySeconds,
        Mean patientTalkShare,
        Mean connectionDrops,
        Map<String, RatingStats> ratings,
        Continuity continuity,
        long openAlerts) {

    public record Spread(Double mean, Double p50, Double p90) {}

    public record Wait(Double p50, Double p90, Double shareOver300s) {}

    public record Percentiles(Double p50, Double p90, Double p95) {}

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Latency(Double p50, Double p90, Double p95, Map<String, Percentiles> byModality) {}

    public record Mean(Double mean) {}

    /**
     * One instrument's ratings on visits in the window. With fewer than
     * rapport.trends.min-group-size responses the rating statistics are null and suppressed.
     */
    public record RatingStats(
            long responses,
            Double responseRate,
            Double meanTotal,
            Double belowCutoffShare,
            Double npsScore,
            boolean suppressed) {}

    /** Over patients with at least two visits in the window. */
    public record Continuity(long patients, Double upc, Double coc, Double providerSwitchRate) {}
}

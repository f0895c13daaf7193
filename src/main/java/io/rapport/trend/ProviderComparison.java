package io.rapport.trend;

import java.util.List;
import java.util.Map;

/** Each provider's headline numbers beside the clinic's, echoing the window and filters. */
public record ProviderComparison(
        String clinicId,
        String from,
        String to,
        String tz,
        String modality,
        String providerId,
        Row clinic,
        List<Row> providers)
        implements Echoed {

    public record Row(
            String providerId,
            long visits,
            Double faceToFaceShareMean,
            Double documentationSecondsMean,
            Double waitSecondsP90,
            Double responseLatencySecondsP50,
            Double messageReplySecondsP50,
            Double patientTalkShareMean,
            Map<String, Rating> ratings) {}

    /**
     * Complete ratings on one instrument. With fewer than rapport.trends.min-group-size of them the
     * mean is null and suppressed; the clinic's mean is suppressed too when a provider's is, since
     * beside the others' it would give that provider's ratings away.
     */
    public record Rating(long responses, Double meanTotal, boolean suppressed) {}
}

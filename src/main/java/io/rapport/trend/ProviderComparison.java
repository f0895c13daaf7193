package io.rapport.trend;

import java.util.List;

/** Each provider's headline numbers beside the clinic's. */
public record ProviderComparison(Row clinic, List<Row> providers) {

    public record Row(
            String providerId,
            long visits,
            Double faceToFaceShareMean,
            Double documentationSecondsMean,
            Double waitSecondsP90,
            Double responseLatencySecondsP50,
            Double patientTalkShareMean,
            long srsResponses,
            Double srsMeanTotal,
            boolean srsSuppressed) {}
}

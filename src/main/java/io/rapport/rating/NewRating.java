package io.rapport.rating;

import io.rapport.instrument.InstrumentDefinition;
import io.rapport.instrument.Score;
import java.time.Instant;
import java.util.List;

/**
 * A validated, scored rating ready to store; instants cut to PostgreSQL's microseconds. {@code
 * scoredBy} is the definition it was scored by, which the store checks is still the one in force.
 */
public record NewRating(
        String clinicId,
        String visitId,
        String instrument,
        List<Double> items,
        Score score,
        Instant submittedAt,
        Instant recordedAt,
        InstrumentDefinition scoredBy) {}

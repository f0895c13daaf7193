package io.rapport.rating;

import com.fasterxml.jackson.databind.JsonNode;
import io.rapport.config.RapportConfig;
import io.rapport.error.ProblemException;
import io.rapport.error.Violation;
import io.rapport.ingest.BatchRead;
import io.rapport.ingest.BatchResponse;
import io.rapport.ingest.EventReader;
import io.rapport.ingest.Instants;
import io.rapport.ingest.Outcome;
import io.rapport.ingest.Stored;
import io.rapport.metrics.IngestMetrics;
import io.rapport.security.ClinicScope;
import io.rapport.security.ClinicScopes;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Validates and scores ratings, stores them through {@link RatingStore}, then records metrics. */
@ApplicationScoped
public class RatingIngestService {

    public record Result(Outcome outcome, RatingView rating) {}

    private final EventReader reader;
    private final InstrumentRegistry instruments;
    private final RatingStore store;
    private final AlertStore alerts;
    private final IngestMetrics metrics;
    private final RapportConfig config;

    RatingIngestService(
            EventReader reader,
            InstrumentRegistry instruments,
            RatingStore store,
            AlertStore alerts,
            IngestMetrics metrics,
            RapportConfig config) {
        this.reader = reader;
        this.instruments = instruments;
        this.store = store;
        this.alerts = alerts;
        this.metrics = metrics;
        this.config = config;
    }

    public Result ingest(RatingEvent event, ClinicScope scope) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Map<RatingEvent, InstrumentDefinition> resolved = new IdentityHashMap<>();
        List<Violation> violations = reader.validate(event, e -> rules(e, now, resolved));
        if (!violations.isEmpty()) {
            throw ProblemException.invalid(violations);
        }
        if (!scope.includes(event.clinicId())) {
            throw ClinicScopes.forbidden();
        }
        NewRating rating = scored(event, resolved.get(event), now);
        Stored stored = store.upsert(List.of(rating), now).get(0);
        record(rating, stored.outcome());
        return new Result(
                stored.outcome(),
                find(rating.clinicId(), rating.visitId(), rating.instrument()).orElseThrow());
    }

    public BatchResponse ingestBatch(JsonNode body, ClinicScope scope) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        // Each item resolves its own instrument while its rules run; scoring takes it from there.
        Map<RatingEvent, InstrumentDefinition> resolved = new IdentityHashMap<>();
        BatchRead<NewRating> batch = reader.readBatch(
                body,
                config.ingest().maxBatch(),
                RatingEvent.class,
                e -> rules(e, now, resolved),
                e -> scored(e, resolved.get(e), now));
        batch.forbid(item -> scope.includes(item.clinicId()), NewRating::visitId);
        List<Stored> stored = batch.valid().isEmpty() ? List.of() : store.upsert(batch.valid(), now);
        BatchResponse answer = batch.answer(stored, NewRating::visitId, this::record);
        metrics.batchSize("rating", answer.results().size());
        metrics.rejected("rating", "malformed", batch.malformed());
        metrics.rejected("rating", "validation", batch.invalid());
        return answer;
    }

    public Optional<RatingView> find(String clinicId, String visitId, String instrument) {
        return store.find(clinicId, visitId, instrument, alerts.unresolvedFor(clinicId, visitId, instrument));
    }

    /**
     * Rules beyond the annotations: the instrument must exist for this clinic and the answers must
     * fit it. The resolved definition is handed back through {@code found} for scoring.
     */
    private List<Violation> rules(RatingEvent e, Instant now, Map<RatingEvent, InstrumentDefinition> found) {
        List<Violation> out = new ArrayList<>();
        Instants.measured(out, "submittedAt", e.submittedAt(), now);
        Instants.measured(out, "recordedAt", e.recordedAt(), now);
        if (e.instrument() == null || e.clinicId() == null) {
            return out;
        }
        Optional<InstrumentDefinition> def = instruments.find(e.clinicId(), e.instrument());
        if (def.isEmpty()) {
            out.add(new Violation(
                    "instrument", "is not a known instrument for this clinic (GET /api/v1/instruments lists them)"));
            return out;
        }
        found.put(e, def.get());
        if (e.items() != null) {
            out.addAll(Scoring.validate(def.get(), e.items()));
        }
        return out;
    }

    private static NewRating scored(RatingEvent e, InstrumentDefinition def, Instant now) {
        return new NewRating(
                e.clinicId(),
                e.visitId(),
                e.instrument(),
                Collections.unmodifiableList(new ArrayList<>(e.items())),
                Scoring.score(def, e.items()),
                e.submittedAt().truncatedTo(ChronoUnit.MICROS),
                e.recordedAt() == null ? now : e.recordedAt().truncatedTo(ChronoUnit.MICROS));
    }

    private void record(NewRating r, Outcome outcome) {
        metrics.rating(
                IngestMetrics.instrumentLabel(r.instrument()),
                outcome.metricTag(),
                r.score().normalized());
    }
}

package io.rapport.rating;

import com.fasterxml.jackson.databind.JsonNode;
import io.rapport.config.RapportConfig;
import io.rapport.error.ProblemException;
import io.rapport.error.Violation;
import io.rapport.ingest.BatchResponse;
import io.rapport.ingest.EventReader;
import io.rapport.ingest.ItemResult;
import io.rapport.ingest.Outcome;
import io.rapport.metrics.IngestMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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

    public Result ingest(RatingEvent event) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        List<InstrumentDefinition> def = new ArrayList<>(1);
        List<Violation> violations = reader.validate(event, e -> rules(e, now, def));
        if (!violations.isEmpty()) {
            throw ProblemException.invalid(violations);
        }
        NewRating rating = scored(event, def.get(0), now);
        RatingStore.Stored stored = store.upsert(List.of(rating), now).get(0);
        record(rating, stored.outcome());
        return new Result(stored.outcome(), find(rating.clinicId(), rating.visitId(), rating.instrument()).orElseThrow());
    }

    public BatchResponse ingestBatch(JsonNode body) {
        JsonNode items = reader.requireArray(body, config.ingest().maxBatch());
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        ItemResult[] results = new ItemResult[items.size()];
        List<NewRating> valid = new ArrayList<>();
        List<Integer> validIndex = new ArrayList<>();
        int malformed = 0, invalid = 0;
        for (int i = 0; i < items.size(); i++) {
            JsonNode node = items.get(i);
            List<InstrumentDefinition> def = new ArrayList<>(1);
            EventReader.Read<RatingEvent> read = reader.read(node, RatingEvent.class, e -> rules(e, now, def));
            if (!read.valid()) {
                String prefix = "[" + i + "]";
                results[i] = ItemResult.rejected(i, EventReader.text(node, "visitId"),
                        read.violations().stream().map(v -> v.prefixed(prefix)).toList());
                if (read.event() == null) {
                    malformed++;
                } else {
                    invalid++;
                }
                continue;
            }
            valid.add(scored(read.event(), def.get(0), now));
            validIndex.add(i);
        }
        List<RatingStore.Stored> stored = valid.isEmpty() ? List.of() : store.upsert(valid, now);
        for (int k = 0; k < stored.size(); k++) {
            NewRating r = valid.get(k);
            results[validIndex.get(k)] = new ItemResult(validIndex.get(k), r.visitId(), stored.get(k).outcome(), stored.get(k).revision(), null);
            record(r, stored.get(k).outcome());
        }
        metrics.batchSize("rating", items.size());
        metrics.rejected("rating", "malformed", malformed);
        metrics.rejected("rating", "validation", invalid);
        return BatchResponse.of(List.of(results));
    }

    public Optional<RatingView> find(String clinicId, String visitId, String instrument) {
        return store.find(clinicId, visitId, instrument, alerts.unresolvedFor(clinicId, visitId, instrument));
    }

    /**
     * Rules beyond the annotations: the instrument must exist for this clinic and the answers must
     * fit it. The resolved definition is handed back through {@code found} for scoring.
     */
    private List<Violation> rules(RatingEvent e, Instant now, List<InstrumentDefinition> found) {
        List<Violation> out = new ArrayList<>();
        if (e.submittedAt() != null && e.submittedAt().isAfter(now.plus(Duration.ofDays(1)))) {
            out.add(new Violation("submittedAt", "must not be more than 1 day in the future"));
        }
        if (e.instrument() == null || e.clinicId() == null) {
            return out;
        }
        Optional<InstrumentDefinition> def = instruments.find(e.clinicId(), e.instrument());
        if (def.isEmpty()) {
            out.add(new Violation("instrument", "is not a known instrument for this clinic (GET /api/v1/instruments lists them)"));
            return out;
        }
        found.add(def.get());
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
        metrics.rating(metricInstrument(r.instrument()), outcome.metricTag(), r.score().normalized());
    }

    /** Clinic-registered codes are free text: they share one label value so cardinality stays fixed. */
    static String metricInstrument(String code) {
        return BuiltInInstruments.find(code).isPresent() ? code : "custom";
    }
}

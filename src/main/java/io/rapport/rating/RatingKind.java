package io.rapport.rating;

import io.rapport.alert.AlertEvaluator;
import io.rapport.alert.AlertStore;
import io.rapport.error.Violation;
import io.rapport.ingest.EventKind;
import io.rapport.ingest.Instants;
import io.rapport.ingest.Outcome;
import io.rapport.ingest.Stored;
import io.rapport.instrument.BuiltInInstruments;
import io.rapport.instrument.InstrumentDefinition;
import io.rapport.instrument.InstrumentRegistry;
import io.rapport.instrument.Scoring;
import io.rapport.metrics.IngestMetrics;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What ratings supply to the ingest pipeline: instrument rules, scoring, their store, their meters. */
// A singleton, not a client proxy: the ingest pipeline calls it for every item of every batch.
@Singleton
public class RatingKind implements EventKind<RatingEvent, NewRating> {

    private final InstrumentRegistry instruments;
    private final RatingStore store;
    private final AlertStore alerts;
    private final IngestMetrics metrics;

    RatingKind(InstrumentRegistry instruments, RatingStore store, AlertStore alerts, IngestMetrics metrics) {
        this.instruments = instruments;
        this.store = store;
        this.alerts = alerts;
        this.metrics = metrics;
    }

    @Override
    public String name() {
        return "rating";
    }

    @Override
    public String path() {
        return "/api/v1/ratings";
    }

    @Override
    public Class<RatingEvent> eventType() {
        return RatingEvent.class;
    }

    @Override
    public Reading<RatingEvent, NewRating> reading(Instant now) {
        // Each item resolves its instrument while its rules run; scoring takes it from there.
        Map<RatingEvent, InstrumentDefinition> resolved = new IdentityHashMap<>();
        return new Reading<>() {
            @Override
            public List<Violation> rules(RatingEvent event) {
                return RatingKind.this.rules(event, now, resolved);
            }

            @Override
            public NewRating prepare(RatingEvent event, String pseudonym) {
                return scored(event, resolved.get(event), now);
            }
        };
    }

    @Override
    public String clinicId(RatingEvent event) {
        return event.clinicId();
    }

    @Override
    public String patientId(RatingEvent event) {
        return null;
    }

    @Override
    public String label(RatingEvent event) {
        return event.visitId();
    }

    @Override
    public List<Stored> upsert(List<NewRating> items, Instant receivedAt) {
        return store.upsert(items, receivedAt);
    }

    @Override
    public void registerMeters() {
        for (String instrument : BuiltInInstruments.labels()) {
            for (String outcome : Outcome.metricTags()) {
                metrics.ratingsAtZero(instrument, outcome);
            }
            for (String reason : AlertEvaluator.REASONS) {
                metrics.alertsRaisedAtZero(instrument, reason);
            }
        }
    }

    @Override
    public void record(NewRating r, Outcome outcome) {
        metrics.rating(
                BuiltInInstruments.label(r.instrument()),
                outcome.metricTag(),
                r.score().normalized());
    }

    public Optional<RatingView> find(String clinicId, String visitId, String instrument) {
        Optional<InstrumentDefinition> definition = instruments.find(clinicId, instrument);
        return store.find(
                clinicId,
                visitId,
                instrument,
                alerts.unresolvedFor(clinicId, visitId, instrument),
                subscales -> definition.map(d -> d.inSubscaleOrder(subscales)).orElse(subscales));
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
                e.recordedAt() == null ? now : e.recordedAt().truncatedTo(ChronoUnit.MICROS),
                def);
    }
}

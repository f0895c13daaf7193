package io.rapport.visit;

import io.rapport.error.Violation;
import io.rapport.ingest.EventKind;
import io.rapport.ingest.Outcome;
import io.rapport.ingest.Stored;
import io.rapport.metrics.IngestMetrics;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** What visits supply to the ingest pipeline: their rules, their store, their meters. */
// A singleton, not a client proxy: the ingest pipeline calls it for every item of every batch.
@Singleton
public class VisitKind implements EventKind<VisitEvent, NewVisit> {

    private final VisitStore store;
    private final VisitRepository repository;
    private final IngestMetrics metrics;

    VisitKind(VisitStore store, VisitRepository repository, IngestMetrics metrics) {
        this.store = store;
        this.repository = repository;
        this.metrics = metrics;
    }

    @Override
    public String name() {
        return "visit";
    }

    @Override
    public String path() {
        return "/api/v1/visits";
    }

    @Override
    public Class<VisitEvent> eventType() {
        return VisitEvent.class;
    }

    @Override
    public Reading<VisitEvent, NewVisit> reading(Instant now) {
        return new Reading<>() {
            @Override
            public List<Violation> rules(VisitEvent event) {
                return VisitRules.check(event, now);
            }

            @Override
            public NewVisit prepare(VisitEvent event, String pseudonym) {
                return NewVisit.from(event, pseudonym, now);
            }
        };
    }

    @Override
    public String clinicId(VisitEvent event) {
        return event.clinicId();
    }

    @Override
    public String patientId(VisitEvent event) {
        return event.patientId();
    }

    @Override
    public String label(VisitEvent event) {
        return event.visitId();
    }

    @Override
    public List<Stored> upsert(List<NewVisit> items, Instant receivedAt) {
        return store.upsert(items, receivedAt);
    }

    @Override
    public void registerMeters() {
        for (Modality modality : Modality.values()) {
            for (String outcome : Outcome.metricTags()) {
                metrics.visitsAtZero(modality.name(), outcome);
            }
        }
    }

    @Override
    public void record(NewVisit v, Outcome outcome) {
        metrics.visit(
                v.modality().name(),
                outcome.metricTag(),
                new IngestMetrics.VisitFigures(
                        v.faceToFaceShare(), v.documentationSeconds(), v.waitSeconds(), v.responseLatencySeconds()));
    }

    public Optional<VisitView> find(String clinicId, String visitId) {
        return repository.find(clinicId, visitId).map(VisitView::from);
    }
}

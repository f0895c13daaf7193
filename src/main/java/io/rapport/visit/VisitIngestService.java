package io.rapport.visit;

import com.fasterxml.jackson.databind.JsonNode;
import io.rapport.config.RapportConfig;
import io.rapport.error.ProblemException;
import io.rapport.error.Violation;
import io.rapport.ingest.BatchRead;
import io.rapport.ingest.BatchResponse;
import io.rapport.ingest.EventReader;
import io.rapport.ingest.Outcome;
import io.rapport.ingest.Stored;
import io.rapport.metrics.IngestMetrics;
import io.rapport.security.ClinicScope;
import io.rapport.security.ClinicScopes;
import io.rapport.security.PatientRekeying;
import io.rapport.security.Pseudonymizer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Validates visit events, pseudonymises the patient, hands them to {@link VisitStore} and records
 * metrics once the transaction has committed.
 */
@ApplicationScoped
public class VisitIngestService {

    /** A stored visit and what storing it did. */
    public record Result(Outcome outcome, VisitView visit) {}

    private final EventReader reader;
    private final VisitStore store;
    private final VisitRepository repository;
    private final Pseudonymizer pseudonymizer;
    private final PatientRekeying rekeying;
    private final IngestMetrics metrics;
    private final RapportConfig config;
    private final Clock clock;

    VisitIngestService(
            EventReader reader,
            VisitStore store,
            VisitRepository repository,
            Pseudonymizer pseudonymizer,
            PatientRekeying rekeying,
            IngestMetrics metrics,
            RapportConfig config) {
        this.reader = reader;
        this.store = store;
        this.repository = repository;
        this.pseudonymizer = pseudonymizer;
        this.rekeying = rekeying;
        this.metrics = metrics;
        this.config = config;
        this.clock = Clock.systemUTC();
    }

    public Result ingest(VisitEvent event, ClinicScope scope) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        List<Violation> violations = reader.validate(event, e -> VisitRules.check(e, now));
        if (!violations.isEmpty()) {
            throw ProblemException.invalid(violations);
        }
        if (!scope.includes(event.clinicId())) {
            throw ClinicScopes.forbidden();
        }
        NewVisit visit = NewVisit.from(event, pseudonymizer.pseudonym(event.patientId()), now);
        rekeying.rekey(List.of(new PatientRekeying.Patient(event.clinicId(), event.patientId())));
        Stored stored = store.upsert(List.of(visit), now).get(0);
        record(visit, stored.outcome());
        VisitView view = find(visit.clinicId(), visit.visitId())
                .orElseThrow(() -> new IllegalStateException("A stored visit could not be read back"));
        return new Result(stored.outcome(), view);
    }

    public BatchResponse ingestBatch(JsonNode body, ClinicScope scope) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        List<PatientRekeying.Patient> patients = new ArrayList<>();
        BatchRead<NewVisit> batch = reader.readBatch(
                body, config.ingest().maxBatch(), VisitEvent.class, e -> VisitRules.check(e, now), e -> {
                    patients.add(new PatientRekeying.Patient(e.clinicId(), e.patientId()));
                    return NewVisit.from(e, pseudonymizer.pseudonym(e.patientId()), now);
                });
        batch.forbid(item -> scope.includes(item.clinicId()), NewVisit::visitId);
        // Only the patients of items that will be stored: an item outside the scope changes nothing.
        rekeying.rekey(patients.stream()
                .filter(p -> scope.includes(p.clinicId()))
                .distinct()
                .toList());
        List<Stored> stored = batch.valid().isEmpty() ? List.of() : store.upsert(batch.valid(), now);
        BatchResponse answer = batch.answer(stored, NewVisit::visitId, this::record);
        metrics.batchSize("visit", answer.results().size());
        metrics.rejected("visit", "malformed", batch.malformed());
        metrics.rejected("visit", "validation", batch.invalid());
        return answer;
    }

    public Optional<VisitView> find(String clinicId, String visitId) {
        return repository.find(clinicId, visitId).map(VisitView::from);
    }

    private void record(NewVisit v, Outcome outcome) {
        metrics.visit(
                v.modality().name(),
                outcome.metricTag(),
                new IngestMetrics.VisitFigures(
                        v.faceToFaceShare(), v.documentationSeconds(), v.waitSeconds(), v.responseLatencySeconds()));
    }
}

package io.rapport.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.Startup;
import io.rapport.config.RapportConfig;
import io.rapport.db.WritePlans;
import io.rapport.error.ProblemException;
import io.rapport.error.Violation;
import io.rapport.metrics.IngestMetrics;
import io.rapport.metrics.Rejection;
import io.rapport.security.ClinicScope;
import io.rapport.security.PatientRekeying;
import io.rapport.security.PatientsRekeyed;
import io.rapport.security.Pseudonymizer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.inject.Instance;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The one ingest protocol for every event kind: read each item, validate it, check the caller's
 * clinic scope, pseudonymise the patient, upsert the whole batch in one transaction (a few
 * set-based statements, whatever the batch size), count once committed, answer. A single post is
 * a batch of one whose refusals become problem answers instead of per-item statuses.
 */
// At startup, so metrics learn the kinds' paths before the first request is refused.
@Startup
@ApplicationScoped
public class IngestPipeline {

    /**
     * What a single post did: the item as posted, and what storing it did. When it {@link
     * Outcome#wrote wrote}, the stored row is the item itself, at {@code stored.revision()}, received
     * at {@code receivedAt}; otherwise the stored state stood and differs from the item.
     */
    public record Single<N>(N item, Stored stored, Instant receivedAt) {
        public Outcome outcome() {
            return stored.outcome();
        }
    }

    /**
     * A valid item after the scope check: {@code item} is null when the clinic is out of scope;
     * {@code patient} is held in memory only, for re-keying after a key rotation.
     */
    private record Admitted<N>(String label, N item, PatientRekeying.Patient patient) {}

    private final EventReader reader;
    private final Pseudonymizer pseudonymizer;
    private final PatientRekeying rekeying;
    private final WritePlans plans;
    private final IngestMetrics metrics;
    private final RapportConfig config;
    private final Event<PatientsRekeyed> rekeyed;
    private final Map<Class<?>, EventKind<?, ?>> kindsByEventType;
    private final Clock clock = Clock.systemUTC();

    IngestPipeline(
            EventReader reader,
            Pseudonymizer pseudonymizer,
            PatientRekeying rekeying,
            WritePlans plans,
            IngestMetrics metrics,
            RapportConfig config,
            Event<PatientsRekeyed> rekeyed,
            Instance<EventKind<?, ?>> kinds) {
        this.reader = reader;
        this.pseudonymizer = pseudonymizer;
        this.rekeying = rekeying;
        this.plans = plans;
        this.metrics = metrics;
        this.config = config;
        this.rekeyed = rekeyed;
        Map<Class<?>, EventKind<?, ?>> byType = new HashMap<>();
        for (EventKind<?, ?> kind : kinds) {
            metrics.ingestPath(kind.path(), kind.name());
            kind.registerMeters();
            EventKind<?, ?> other = byType.put(kind.eventType(), kind);
            if (other != null) {
                // A body of that type would be held to one kind's rules at random.
                throw new IllegalStateException("Event kinds " + other.name() + " and " + kind.name()
                        + " read the same event type " + kind.eventType().getName());
            }
        }
        this.kindsByEventType = Map.copyOf(byType);
    }

    /**
     * The rules of the kind whose events are of this type, at this moment; none for any other
     * record. For a single post's body that Jackson cannot map ({@link EventBodyReader}), so that
     * it is answered with every broken rule, as the same item in a batch is.
     */
    @SuppressWarnings("unchecked")
    <T> Function<T, List<Violation>> rules(Class<T> type, ClinicScope scope) {
        EventKind<T, ?> kind = (EventKind<T, ?>) kindsByEventType.get(type);
        if (kind == null) {
            return event -> List.of();
        }
        return inScope(kind, kind.reading(now()), scope);
    }

    /**
     * The kind's own rules for an event of a clinic in the caller's scope, none for any other. Those
     * rules read the clinic's data (its instruments and their answer ranges), so run for another
     * clinic's event they told the caller what that clinic had registered; such an event is
     * answered {@code forbidden} (403) instead, whatever its answers.
     */
    private static <E> Function<E, List<Violation>> inScope(
            EventKind<E, ?> kind, EventKind.Reading<E, ?> reading, ClinicScope scope) {
        return event -> {
            String clinicId = kind.clinicId(event);
            // Without a clinic the rules read no clinic's data; the missing id is theirs to name.
            return clinicId == null || scope.includes(clinicId) ? reading.rules(event) : List.of();
        };
    }

    /** One event: a broken rule is a 400, a clinic outside the caller's scope a 403. */
    public <E, N> Single<N> one(EventKind<E, N> kind, E event, ClinicScope scope) {
        Instant now = now();
        EventKind.Reading<E, N> reading = kind.reading(now);
        List<Violation> violations = reader.validate(event, inScope(kind, reading, scope));
        if (!violations.isEmpty()) {
            throw ProblemException.invalid(violations);
        }
        Admitted<N> admitted = admit(kind, reading, event, scope);
        if (admitted.item() == null) {
            throw new ProblemException(
                    403,
                    "Forbidden",
                    "The token's clinic scope does not include this clinic; nothing was stored.",
                    null);
        }
        Stored stored = store(kind, List.of(admitted), now).get(0);
        kind.record(admitted.item(), stored.outcome());
        return new Single<>(admitted.item(), stored, now);
    }

    /**
     * The clinics a batch body names, for its audit row, read before anything can refuse the batch
     * as a whole: those of as many items as a batch may hold ({@link Batches#clinicIds}).
     */
    public Set<String> clinicsNamed(JsonNode body) {
        return Batches.clinicIds(body, config.ingest().maxBatch());
    }

    /** A JSON array of events: each item stands or falls alone, the valid ones stored together. */
    public <E, N> BatchResponse batch(EventKind<E, N> kind, JsonNode body, ClinicScope scope) {
        Instant now = now();
        EventKind.Reading<E, N> reading = kind.reading(now);
        BatchRead<Admitted<N>> batch = reader.readBatch(
                body,
                config.ingest().maxBatch(),
                kind.eventType(),
                inScope(kind, reading, scope),
                e -> admit(kind, reading, e, scope));
        List<Admitted<N>> allowed = new ArrayList<>();
        for (Admitted<N> a : batch.valid()) {
            if (a.item() != null) {
                allowed.add(a);
            }
        }
        List<Stored> written = allowed.isEmpty() ? List.of() : store(kind, allowed, now);
        List<Stored> outcomes = new ArrayList<>(batch.valid().size());
        int next = 0;
        for (Admitted<N> a : batch.valid()) {
            outcomes.add(a.item() == null ? new Stored(Outcome.FORBIDDEN, null) : written.get(next++));
        }
        BatchResponse answer = batch.answer(outcomes, Admitted::label, (a, outcome) -> {
            if (a.item() != null) {
                kind.record(a.item(), outcome);
            }
        });
        metrics.batchSize(kind.name(), answer.results().size());
        metrics.rejected(kind.name(), Rejection.MALFORMED, batch.malformed());
        metrics.rejected(kind.name(), Rejection.VALIDATION, batch.invalid());
        return answer;
    }

    /** The scope check and the one place a patient id becomes a pseudonym. */
    private <E, N> Admitted<N> admit(
            EventKind<E, N> kind, EventKind.Reading<E, N> reading, E event, ClinicScope scope) {
        String clinicId = kind.clinicId(event);
        if (!scope.includes(clinicId)) {
            return new Admitted<>(kind.label(event), null, null);
        }
        String patientId = kind.patientId(event);
        String pseudonym = patientId == null ? null : pseudonymizer.pseudonym(patientId);
        return new Admitted<>(
                kind.label(event),
                reading.prepare(event, pseudonym),
                patientId == null ? null : new PatientRekeying.Patient(clinicId, patientId, pseudonym));
    }

    /**
     * Writes the admitted items in one transaction. After a key rotation, returning patients'
     * earlier visits first move to the active key, in one statement, so the rows written next and
     * the alert sequences evaluated with them see one patient.
     */
    private <N> List<Stored> store(EventKind<?, N> kind, List<Admitted<N>> admitted, Instant now) {
        List<N> items = admitted.stream().map(Admitted::item).toList();
        List<PatientRekeying.Patient> patients = admitted.stream()
                .map(Admitted::patient)
                .filter(java.util.Objects::nonNull)
                .distinct()
                .toList();
        return QuarkusTransaction.joiningExisting().call(() -> {
            plans.forWriteOf(items.size());
            boolean moved = rekeying.rekey(patients);
            List<Stored> stored = kind.upsert(items, now);
            // A write had the sequences evaluated already, moved ones included; a retry did not.
            if (moved && stored.stream().noneMatch(s -> s.outcome().wrote())) {
                rekeyed.fire(new PatientsRekeyed());
            }
            return stored;
        });
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}

package io.rapport.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.Startup;
import io.rapport.config.RapportConfig;
import io.rapport.error.ProblemException;
import io.rapport.error.Violation;
import io.rapport.metrics.IngestMetrics;
import io.rapport.security.ClinicScope;
import io.rapport.security.Pseudonymizer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

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

    /** What a single post did, and the item as stored. */
    public record Single<N>(Outcome outcome, N item) {}

    /** A valid item after the scope check: {@code item} is null when the clinic is out of scope. */
    private record Admitted<N>(String label, N item) {}

    private final EventReader reader;
    private final ClinicScope scope;
    private final Pseudonymizer pseudonymizer;
    private final IngestMetrics metrics;
    private final RapportConfig config;
    private final Clock clock = Clock.systemUTC();

    IngestPipeline(
            EventReader reader,
            ClinicScope scope,
            Pseudonymizer pseudonymizer,
            IngestMetrics metrics,
            RapportConfig config,
            Instance<EventKind<?, ?>> kinds) {
        this.reader = reader;
        this.scope = scope;
        this.pseudonymizer = pseudonymizer;
        this.metrics = metrics;
        this.config = config;
        for (EventKind<?, ?> kind : kinds) {
            metrics.ingestPath(kind.path(), kind.name());
        }
    }

    /** One event: a broken rule is a 400, a clinic outside the caller's scope a 403. */
    public <E, N> Single<N> one(EventKind<E, N> kind, E event) {
        Instant now = now();
        EventKind.Reading<E, N> reading = kind.reading(now);
        List<Violation> violations = reader.validate(event, reading::rules);
        if (!violations.isEmpty()) {
            throw ProblemException.invalid(violations);
        }
        Admitted<N> admitted = admit(kind, reading, event);
        if (admitted.item() == null) {
            throw new ProblemException(
                    403,
                    "Forbidden",
                    "The token's clinic scope does not include this clinic; nothing was stored.",
                    null);
        }
        Stored stored = store(kind, List.of(admitted.item()), now).get(0);
        kind.record(admitted.item(), stored.outcome());
        return new Single<>(stored.outcome(), admitted.item());
    }

    /** A JSON array of events: each item stands or falls alone, the valid ones stored together. */
    public <E, N> BatchResponse batch(EventKind<E, N> kind, JsonNode body) {
        Instant now = now();
        EventKind.Reading<E, N> reading = kind.reading(now);
        BatchRead<Admitted<N>> batch = reader.readBatch(
                body, config.ingest().maxBatch(), kind.eventType(), reading::rules, e -> admit(kind, reading, e));
        List<N> allowed = new ArrayList<>();
        for (Admitted<N> a : batch.valid()) {
            if (a.item() != null) {
                allowed.add(a.item());
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
        metrics.rejected(kind.name(), "malformed", batch.malformed());
        metrics.rejected(kind.name(), "validation", batch.invalid());
        return answer;
    }

    /** The scope check and the one place a patient id becomes a pseudonym. */
    private <E, N> Admitted<N> admit(EventKind<E, N> kind, EventKind.Reading<E, N> reading, E event) {
        if (!scope.includes(kind.clinicId(event))) {
            return new Admitted<>(kind.label(event), null);
        }
        String patientId = kind.patientId(event);
        String pseudonym = patientId == null ? null : pseudonymizer.pseudonym(patientId);
        return new Admitted<>(kind.label(event), reading.prepare(event, pseudonym));
    }

    private <N> List<Stored> store(EventKind<?, N> kind, List<N> items, Instant now) {
        return QuarkusTransaction.joiningExisting().call(() -> {
            afterPseudonymizing(kind, items);
            return kind.upsert(items, now);
        });
    }

    /**
     * The point between pseudonymising and upserting, inside the batch's transaction: where a
     * set-based statement that must run before the batch's rows are written belongs (re-keying a
     * patient's older pseudonyms when the pseudonym key rotates). Nothing needs to run here yet.
     */
    private <N> void afterPseudonymizing(EventKind<?, N> kind, List<N> items) {}

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}

package io.rapport.ingest;

import io.rapport.error.Violation;
import java.time.Instant;
import java.util.List;

/**
 * What one kind of event (a visit, a rating) supplies to the {@link IngestPipeline}. The pipeline
 * owns the protocol: read, validate, check the clinic scope, pseudonymise, upsert, count, answer.
 *
 * @param <E> the event as posted
 * @param <N> the event validated and prepared for storing
 */
public interface EventKind<E, N> {

    /** The kind on meters and in batch metrics: {@code visit}, {@code rating}. */
    String name();

    /** The path prefix of this kind's ingest endpoints, so refusals before the pipeline count by kind. */
    String path();

    Class<E> eventType();

    /** Reads one request's events: the rules and the preparation may share what they look up. */
    Reading<E, N> reading(Instant now);

    String clinicId(E event);

    /** The patient id the pseudonymiser replaces, or null when this kind carries none. */
    String patientId(E event);

    /** The id that labels an item in a batch answer (the visit id). */
    String label(E event);

    /**
     * Stores the items in the caller's transaction, set-based, and brings what depends on them
     * (alerts) up to date in the same transaction. Returns one outcome per item, in the given order.
     */
    List<Stored> upsert(List<N> items, Instant receivedAt);

    /**
     * Creates this kind's meters at zero, for every label value it can count under, so that they
     * are scraped from the pod's start. Called once, at startup.
     */
    void registerMeters();

    /** Counts one stored item on this kind's meters; called only after the transaction committed. */
    void record(N item, Outcome outcome);

    /** One request's rules and preparation. */
    interface Reading<E, N> {

        /** Rules beyond the annotations: cross-field, clock, instrument. */
        List<Violation> rules(E event);

        /** The valid event ready to store, its patient id already replaced by {@code pseudonym}. */
        N prepare(E event, String pseudonym);
    }
}

package io.rapport.ingest;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.stream.Stream;

/** What storing one event did. */
public enum Outcome {
    /** First time this key was seen: 201. */
    CREATED,
    /** A correction with a recordedAt not older than the stored one: revision + 1. */
    UPDATED,
    /** The same content again (a retry): nothing changed. */
    UNCHANGED,
    /** Different content but recorded before the stored revision: ignored, the stored state stands. */
    STALE,
    /** Broke a rule; nothing stored (batches only). */
    REJECTED,
    /** The caller's clinic scope does not include the item's clinic; nothing stored (batches only). */
    FORBIDDEN;

    @JsonValue
    public String json() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Whether storing changed a row (what the audit trail counts as written). */
    public boolean wrote() {
        return this == CREATED || this == UPDATED;
    }

    /** The outcome tag on ingest counters: a stale event changed nothing, like a retry. */
    public String metricTag() {
        return this == STALE ? "unchanged" : json();
    }

    /** Every tag {@link #metricTag} gives a stored event: refused ones are counted as rejected. */
    public static List<String> metricTags() {
        return Stream.of(CREATED, UPDATED, UNCHANGED, STALE)
                .map(Outcome::metricTag)
                .distinct()
                .toList();
    }
}

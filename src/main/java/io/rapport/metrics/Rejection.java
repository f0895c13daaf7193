package io.rapport.metrics;

import java.util.Locale;

/** Why ingest refused events: the {@code reason} label of {@code rapport_ingest_rejected_total}. */
public enum Rejection {
    /** Read as an event, but breaks a rule (a field missing or out of range, fields that disagree). */
    VALIDATION,
    /** Not readable as an event: not JSON, not an object, a field of the wrong type or one no event has. */
    MALFORMED,
    /** A body over the size limit, or a batch over the item limit. */
    TOO_LARGE,
    /** A Content-Type other than JSON, or a compressed body. */
    UNSUPPORTED_MEDIA_TYPE;

    String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}

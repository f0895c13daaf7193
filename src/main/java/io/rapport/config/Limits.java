package io.rapport.config;

/**
 * Limits on the shape of a request, beyond the body size (quarkus.http.limits.max-body-size) and
 * the batch size (rapport.ingest.max-batch). Every one is far above what a valid request needs:
 * an event is two levels deep, a 1,000-visit batch some 35,000 tokens, an id at most 128
 * characters. They keep a hostile body from costing memory or CPU out of proportion to its size.
 */
public final class Limits {

    /** Objects and arrays inside each other; an instrument definition, the deepest body, needs 4. */
    public static final int MAX_NESTING_DEPTH = 32;

    /** JSON tokens in one body. */
    public static final long MAX_TOKENS = 200_000;

    /** Characters in one string or field name. */
    public static final int MAX_STRING_LENGTH = 10_000;

    /** Digits in one number. */
    public static final int MAX_NUMBER_LENGTH = 64;

    /**
     * Characters in a request line (method, target and version); longer is a 414. The HTTP codec's
     * own limit, {@code quarkus.http.limits.max-initial-line-length}, is set higher, so that the
     * refusal is Rapport's problem+json rather than the codec's empty answer.
     */
    public static final int MAX_REQUEST_LINE = 4096;

    /**
     * Bytes of request headers (each name, ": " and value); more is a 431. Above it, as above, sits
     * the codec's own {@code quarkus.http.limits.max-header-size}.
     */
    public static final int MAX_HEADER_BYTES = 20 * 1024;

    /** Query parameters on one request; the trend endpoints, which take the most, use 9. */
    public static final int MAX_QUERY_PARAMETERS = 20;

    private Limits() {}
}

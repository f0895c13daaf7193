package io.rapport.error;

import java.util.List;

/**
 * Thrown by services for a request that cannot be served; mapped to problem+json by {@link ProblemMapper}.
 * Messages must never carry a patient id or anything else that identifies a person.
 */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String title;
    private final List<Violation> violations;
    private final Long retryAfterSeconds;
    private final boolean unreadable;

    public ProblemException(int status, String title, String detail, List<Violation> violations) {
        this(status, title, detail, violations, null, false);
    }

    private ProblemException(
            int status,
            String title,
            String detail,
            List<Violation> violations,
            Long retryAfterSeconds,
            boolean unreadable) {
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
        this.violations = violations == null || violations.isEmpty() ? null : List.copyOf(Violation.listed(violations));
        this.retryAfterSeconds = retryAfterSeconds;
        this.unreadable = unreadable;
    }

    /** 429 with {@code Retry-After}: the caller sent more than its rate allows, and nothing was stored. */
    public static ProblemException tooManyRequests(String detail, long retryAfterSeconds) {
        return new ProblemException(429, "Too Many Requests", detail, null, Math.max(1, retryAfterSeconds), false);
    }

    /** 503 with {@code Retry-After}: nothing was stored, and the same request will succeed later. */
    public static ProblemException retryLater(String detail) {
        return new ProblemException(
                503, "Service Unavailable", detail, null, Long.parseLong(ProblemMapper.RETRY_AFTER_SECONDS), false);
    }

    public static ProblemException invalid(List<Violation> violations) {
        return invalid(violations, false);
    }

    /**
     * A body that could not be read as the event it should be (a wrong type, a field no event
     * has), answered like {@link #invalid} but counted as {@code malformed}, as the same item in a
     * batch is.
     */
    public static ProblemException unreadable(List<Violation> violations) {
        return invalid(violations, true);
    }

    private static ProblemException invalid(List<Violation> violations, boolean unreadable) {
        return new ProblemException(
                400,
                "Invalid request",
                violations.size() == 1
                        ? "1 rule was broken: see violations."
                        : violations.size() + " rules were broken: see violations.",
                violations,
                null,
                unreadable);
    }

    public static ProblemException badParameter(String name, String message) {
        return invalid(List.of(new Violation(name, message)));
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(404, "Not Found", detail, null);
    }

    /** 415 naming the header that says the body was sent in a form Rapport does not read. */
    public static ProblemException unsupportedBody(List<Violation> violations) {
        return new ProblemException(
                415,
                "Unsupported Media Type",
                "Send the body as uncompressed application/json: see violations.",
                violations);
    }

    public static ProblemException tooLarge(String detail) {
        return new ProblemException(413, "Payload Too Large", detail, null);
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public List<Violation> violations() {
        return violations;
    }

    /** True for a body that could not be read as what it should be: see {@link #unreadable}. */
    public boolean unreadable() {
        return unreadable;
    }

    /** Seconds for a {@code Retry-After} header, or null for none. */
    public Long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}

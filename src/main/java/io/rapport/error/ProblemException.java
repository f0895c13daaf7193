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

    public ProblemException(int status, String title, String detail, List<Violation> violations) {
        this(status, title, detail, violations, null);
    }

    private ProblemException(
            int status, String title, String detail, List<Violation> violations, Long retryAfterSeconds) {
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
        this.violations = violations == null || violations.isEmpty() ? null : List.copyOf(violations);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** 429 with {@code Retry-After}: the caller sent more than its rate allows, and nothing was stored. */
    public static ProblemException tooManyRequests(String detail, long retryAfterSeconds) {
        return new ProblemException(429, "Too Many Requests", detail, null, Math.max(1, retryAfterSeconds));
    }

    public static ProblemException invalid(List<Violation> violations) {
        return new ProblemException(
                400,
                "Invalid request",
                violations.size() == 1
                        ? "1 rule was broken: see violations."
                        : violations.size() + " rules were broken: see violations.",
                violations);
    }

    public static ProblemException badParameter(String name, String message) {
        return invalid(List.of(new Violation(name, message)));
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(404, "Not Found", detail, null);
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

    /** Seconds for a {@code Retry-After} header, or null for none. */
    public Long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}

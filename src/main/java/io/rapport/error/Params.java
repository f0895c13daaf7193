package io.rapport.error;

import java.util.List;

/** Query parameters read by hand, so a bad one is a named 400 rather than a framework 404. */
public final class Params {

    /**
     * The last page a listing serves (0-based): an offset past it reads and skips more rows than any
     * answer is worth. Also as text, for the OpenAPI schemas' {@code maximum}.
     */
    public static final int LAST_PAGE = 100_000;

    public static final String LAST_PAGE_TEXT = "" + LAST_PAGE;

    private Params() {}

    /**
     * A listing's {@code page}, or null with the violation added, so that an answer names every
     * bad parameter at once rather than the first only.
     */
    public static Integer page(String value, List<Violation> violations) {
        return wholeNumber("page", value, 0, LAST_PAGE, violations);
    }

    /** A whole number within bounds, or null with a violation naming the parameter and the bounds. */
    public static Integer wholeNumber(String name, String value, int min, int max, List<Violation> violations) {
        try {
            int v = Integer.parseInt(value);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        violations.add(new Violation(name, "must be a whole number from " + min + " to " + max));
        return null;
    }
}

package io.rapport.error;

/** Query parameters read by hand, so a bad one is a named 400 rather than a framework 404. */
public final class Params {

    /**
     * The last page a listing serves (0-based): an offset past it reads and skips more rows than any
     * answer is worth. Also as text, for the OpenAPI schemas' {@code maximum}.
     */
    public static final int LAST_PAGE = 100_000;

    public static final String LAST_PAGE_TEXT = "" + LAST_PAGE;

    private Params() {}

    /** A listing's {@code page}: a whole number from 0 to {@link #LAST_PAGE}, or a 400. */
    public static int page(String value) {
        return wholeNumber("page", value, 0, LAST_PAGE);
    }

    /** A whole number within bounds, or a 400 naming the parameter and the bounds. */
    public static int wholeNumber(String name, String value, int min, int max) {
        try {
            int v = Integer.parseInt(value);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ProblemException.badParameter(name, "must be a whole number from " + min + " to " + max);
    }
}

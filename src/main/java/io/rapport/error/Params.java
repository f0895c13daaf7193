package io.rapport.error;

/** Query parameters read by hand, so a bad one is a named 400 rather than a framework 404. */
public final class Params {

    private Params() {}

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

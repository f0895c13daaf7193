package io.rapport.ingest;

/** The shape every id in the API must have. */
public final class Ids {

    public static final String PATTERN = "[A-Za-z0-9._:-]{1,128}";
    public static final String MESSAGE = "must be 1-128 characters of A-Z, a-z, 0-9, '.', '_', ':' or '-'";

    private Ids() {}

    public static boolean valid(String id) {
        return id != null && id.matches(PATTERN);
    }
}

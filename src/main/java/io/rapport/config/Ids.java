package io.rapport.config;

import java.util.regex.Pattern;

/** The shape every id in the API must have. */
public final class Ids {

    public static final String PATTERN = "[A-Za-z0-9._:-]{1,128}";
    public static final String MESSAGE = "must be 1-128 characters of A-Z, a-z, 0-9, '.', '_', ':' or '-'";

    /** Compiled once: String.matches compiles its pattern on every call, and a batch checks thousands. */
    private static final Pattern COMPILED = Pattern.compile(PATTERN);

    private Ids() {}

    public static boolean valid(String id) {
        return id != null && COMPILED.matcher(id).matches();
    }
}

package io.rapport.security;

import io.rapport.error.ProblemException;

/** The answers for writes outside a token's clinic scope. */
public final class ClinicScopes {

    private ClinicScopes() {}

    /** Never names the clinic: the caller knows which one it sent. */
    public static ProblemException forbidden() {
        return new ProblemException(
                403, "Forbidden", "This token's clinic scope does not include the clinic of this event.", null);
    }
}

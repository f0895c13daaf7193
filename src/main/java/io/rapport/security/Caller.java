package io.rapport.security;

import io.quarkus.security.identity.SecurityIdentity;
import io.rapport.config.Ids;
import io.rapport.error.ProblemException;
import jakarta.enterprise.context.RequestScoped;
import jakarta.json.JsonArray;
import jakarta.json.JsonString;
import java.util.Collection;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Who is calling, as their verified token says: the subject, the roles ({@code groups}) and the
 * clinics they may touch ({@code clinics}: ids, or {@value #ALL_CLINICS} for all).
 */
@RequestScoped
public class Caller implements ClinicScope {

    public static final String ALL_CLINICS = "*";
    public static final String CLINICS_CLAIM = "clinics";

    private final SecurityIdentity identity;
    private Set<String> clinics;

    public Caller(SecurityIdentity identity) {
        this.identity = identity;
    }

    /** The token's {@code sub}. */
    public String subject() {
        return subjectOf(identity);
    }

    /** The {@code sub} of an identity's token (its principal name without one), or null when anonymous. */
    public static String subjectOf(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous()) {
            return null;
        }
        return identity.getPrincipal() instanceof JsonWebToken jwt && jwt.getSubject() != null
                ? jwt.getSubject()
                : identity.getPrincipal().getName();
    }

    @Override
    public boolean includes(String clinicId) {
        if (clinicId == null) {
            // No clinic is in any scope; the immutable scope set refuses to be asked about null.
            return false;
        }
        Set<String> scope = clinics();
        return scope.contains(ALL_CLINICS) || scope.contains(clinicId);
    }

    /**
     * A read of a clinic outside the token's scope answers exactly like a clinic with nothing in
     * it would for an unknown visit: 404, so clinic ids cannot be probed. An id no clinic can have
     * is a 400 naming it first, whatever the scope: it tells the caller nothing of any clinic.
     */
    public void requireClinic(String clinicId) {
        if (clinicId != null && !Ids.valid(clinicId)) {
            throw ProblemException.badParameter("clinicId", Ids.MESSAGE);
        }
        if (clinicId != null && !includes(clinicId)) {
            throw ProblemException.notFound("No such clinic.");
        }
    }

    /** A write for a clinic outside the scope: 403, since the caller named the clinic itself. */
    public void requireWritable(String clinicId) {
        if (clinicId != null && !includes(clinicId)) {
            throw ClinicScopes.forbidden();
        }
    }

    private Set<String> clinics() {
        if (clinics == null) {
            clinics = identity.getPrincipal() instanceof JsonWebToken jwt
                    ? jwt.claim(CLINICS_CLAIM).map(Caller::strings).orElse(Set.of())
                    : Set.of();
        }
        return clinics;
    }

    private static Set<String> strings(Object claim) {
        if (claim instanceof JsonArray array) {
            return array.stream()
                    .filter(JsonString.class::isInstance)
                    .map(v -> ((JsonString) v).getString())
                    .collect(Collectors.toUnmodifiableSet());
        }
        if (claim instanceof Collection<?> list) {
            return list.stream().map(String::valueOf).collect(Collectors.toUnmodifiableSet());
        }
        if (claim instanceof JsonString s) {
            return Set.of(s.getString());
        }
        return claim instanceof String s ? Set.of(s) : Set.of();
    }
}

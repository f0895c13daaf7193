package io.rapport.security;

import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Instant;
import javax.crypto.SecretKey;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The token library's parser, which verifies signature, issuer and lifetime, followed by the
 * checks on the two claims Rapport relies on beyond them. A verified token that fails one is
 * refused like any bad token (401), never let in to fail later:
 *
 * <ul>
 *   <li>{@code groups}, the roles, must be a role name or a list of them. Any other shape (an
 *       object, a number, a list of numbers) made the library's own role lookup throw while it
 *       built the caller's identity: a 500 on every endpoint.
 *   <li>The subject Rapport records ({@code sub}, or the principal's name without one) is at most
 *       255 characters, OpenID Connect's limit for {@code sub} and the width Rapport stores it in
 *       (an alert's acknowledger, the audit trail), and holds no NUL, which PostgreSQL text cannot
 *       hold: acknowledging an alert with either was a 500.
 * </ul>
 *
 * <p>And the token must not be issued in the future by more than the library's clock skew ({@code
 * mp.jwt.verify.clock.skew}, 60 s unless set), which the library does not check: an issuer whose
 * clock runs ahead makes tokens whose lifetime cannot be trusted either.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class CheckedTokenParser implements JWTParser {

    /** OpenID Connect Core 1.0, section 2: {@code sub} must not exceed 255 ASCII characters. */
    static final int MAX_SUBJECT = 255;

    private final DefaultJWTParser standard;
    private final JWTAuthContextInfo config;

    CheckedTokenParser(JWTAuthContextInfo config) {
        this.standard = new DefaultJWTParser(config);
        this.config = config;
    }

    @Override
    public JsonWebToken parse(String token) throws ParseException {
        return checked(() -> standard.parse(token), config);
    }

    @Override
    public JsonWebToken parse(String token, JWTAuthContextInfo config) throws ParseException {
        return checked(() -> standard.parse(token, config), config);
    }

    @Override
    public JsonWebToken verify(String token, PublicKey key) throws ParseException {
        return checked(() -> standard.verify(token, key), config);
    }

    @Override
    public JsonWebToken verify(String token, SecretKey key) throws ParseException {
        return checked(() -> standard.verify(token, key), config);
    }

    @Override
    public JsonWebToken verify(String token, String secret) throws ParseException {
        return checked(() -> standard.verify(token, secret), config);
    }

    @Override
    public JsonWebToken decrypt(String token, PrivateKey key) throws ParseException {
        return checked(() -> standard.decrypt(token, key), config);
    }

    @Override
    public JsonWebToken decrypt(String token, SecretKey key) throws ParseException {
        return checked(() -> standard.decrypt(token, key), config);
    }

    @Override
    public JsonWebToken decrypt(String token, String secret) throws ParseException {
        return checked(() -> standard.decrypt(token, secret), config);
    }

    @Override
    public JsonWebToken parseOnly(String token) throws ParseException {
        return standard.parseOnly(token);
    }

    /** A call of the library's parser. */
    private interface Parsing {
        JsonWebToken run() throws ParseException;
    }

    private static JsonWebToken checked(Parsing parsing, JWTAuthContextInfo config) throws ParseException {
        JsonWebToken jwt;
        java.util.Set<String> groups;
        try {
            jwt = parsing.run();
            groups = jwt.getGroups();
        } catch (ClassCastException e) {
            // The library reads groups as it parses a token and again when asked, and throws this for
            // a shape it cannot read (an object, a number). Its message names Java types, which says
            // nothing to a caller.
            throw new ParseException("The groups claim is not a role name or a list of role names");
        }
        if (groups != null && groups.contains(null)) {
            // ["analyst", null] reads as a set holding null, which no role check or audit row expects.
            throw new ParseException("The groups claim holds a null");
        }
        String subject = jwt.getSubject() != null ? jwt.getSubject() : jwt.getName();
        if (subject != null && subject.codePointCount(0, subject.length()) > MAX_SUBJECT) {
            throw new ParseException("The token's subject is longer than " + MAX_SUBJECT + " characters");
        }
        if (subject != null && subject.indexOf('\u0000') >= 0) {
            throw new ParseException("The token's subject holds a NUL character");
        }
        // The library requires iat, so it is there.
        if (jwt.getIssuedAtTime() > Instant.now().getEpochSecond() + config.getClockSkew()) {
            throw new ParseException("The token is issued in the future");
        }
        return jwt;
    }
}

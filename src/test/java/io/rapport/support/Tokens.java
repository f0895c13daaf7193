package io.rapport.support;

import io.rapport.security.Roles;
import io.smallrye.jwt.build.Jwt;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;

/**
 * Real tokens signed with the test key pair ({@code src/test/resources/test-jwt}), so every test
 * goes through the real verification path. Nothing in the suite turns security off.
 */
public final class Tokens {

    public static final String ISSUER = "rapport-test";

    /** What mp.jwt.verify.audiences holds unless set. */
    public static final String AUDIENCE = "rapport";

    /** As the Authorization header value, makes the default-token filter send no header at all. */
    public static final String NO_TOKEN = "(no token)";

    private static final PrivateKey KEY = load();

    private Tokens() {}

    public static String token(String subject, List<String> roles, List<String> clinics) {
        return Jwt.issuer(ISSUER)
                .audience(AUDIENCE)
                .subject(subject)
                .groups(new HashSet<>(roles))
                .claim("clinics", clinics)
                .issuedAt(Instant.now())
                .expiresIn(3600)
                .sign(KEY);
    }

    /** What the suite sends when a test names no token: every role, every clinic, one subject per test class. */
    public static String suite(String subject) {
        return token(subject, List.of(Roles.INGEST, Roles.ANALYST, Roles.ADMIN), List.of("*"));
    }

    public static String bearer(String token) {
        return "Bearer " + token;
    }

    public static PrivateKey testKey() {
        return KEY;
    }

    private static PrivateKey load() {
        try (InputStream in = Tokens.class.getClassLoader().getResourceAsStream("test-jwt/private.pem")) {
            String pem = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            return KeyFactory.getInstance("RSA")
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("The test key pair is missing from src/test/resources/test-jwt", e);
        }
    }
}

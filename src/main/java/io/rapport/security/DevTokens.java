package io.rapport.security;

import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.lang.JoseException;

/**
 * Dev mode keeps authentication on, so it needs a key pair and a token: at first start it makes
 * an RSA pair under {@code data/dev-jwt/} and a long-lived admin token for every clinic, and logs
 * how to use it. The prod profile refuses this issuer and this key ({@link TokenVerificationConfig}).
 */
@Singleton
@IfBuildProfile("dev")
public class DevTokens {

    public static final String ISSUER = "rapport-dev";
    public static final String PUBLIC_KEY = "data/dev-jwt/public.pem";
    static final String PRIVATE_KEY = "data/dev-jwt/private.pem";
    static final String TOKEN_FILE = "data/dev-token.txt";

    private static final Logger LOG = Logger.getLogger(DevTokens.class);

    void onStart(@Observes StartupEvent event) {
        try {
            Path token = ensureToken();
            LOG.infof(
                    "Dev token (admin, ingest and analyst for every clinic) is in %s. Paste:%n    export RAPPORT_TOKEN=$(cat %s)",
                    token.toAbsolutePath(), token.toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the dev key pair or token under data/", e);
        }
    }

    private static Path ensureToken() throws IOException {
        Path publicKey = Path.of(PUBLIC_KEY);
        Path privateKey = Path.of(PRIVATE_KEY);
        Path token = Path.of(TOKEN_FILE);
        if (!Files.exists(publicKey) || !Files.exists(privateKey)) {
            KeyPair pair = generate();
            Files.createDirectories(publicKey.getParent());
            Files.writeString(privateKey, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
            Files.writeString(publicKey, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
            Files.deleteIfExists(token);
        }
        if (!Files.exists(token) || !forThisAudience(Files.readString(token).trim())) {
            Files.writeString(token, sign(readPrivate(privateKey)) + "\n");
        }
        return token;
    }

    /** The audience tokens must carry (mp.jwt.verify.audiences), the first if several. */
    private static String audience() {
        return ConfigProvider.getConfig()
                .getOptionalValues("mp.jwt.verify.audiences", String.class)
                .flatMap(l -> l.stream().findFirst())
                .orElse("rapport");
    }

    /**
     * Whether a token made at an earlier start carries today's audience: one made before Rapport
     * checked {@code aud} would be refused with a 401 that says nothing of why.
     */
    private static boolean forThisAudience(String token) {
        try {
            String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
            return JwtClaims.parse(payload).getAudience().contains(audience());
        } catch (RuntimeException
                | org.jose4j.jwt.MalformedClaimException
                | org.jose4j.jwt.consumer.InvalidJwtException e) {
            return false;
        }
    }

    private static String sign(PrivateKey key) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(ISSUER);
        claims.setAudience(audience());
        claims.setSubject("dev-admin");
        claims.setIssuedAtToNow();
        claims.setExpirationTime(org.jose4j.jwt.NumericDate.fromSeconds(
                Instant.now().plus(Duration.ofDays(3650)).getEpochSecond()));
        claims.setStringListClaim("groups", List.of(Roles.ADMIN, Roles.ANALYST, Roles.INGEST));
        claims.setStringListClaim("clinics", List.of(Caller.ALL_CLINICS));
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key);
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setHeader("typ", "JWT");
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException("Could not sign the dev token", e);
        }
    }

    private static KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static PrivateKey readPrivate(Path file) throws IOException {
        String base64 =
                Files.readString(file).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        try {
            return KeyFactory.getInstance("RSA")
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        } catch (NoSuchAlgorithmException | InvalidKeySpecException e) {
            throw new IllegalStateException(
                    "The dev private key under data/dev-jwt/ is unreadable: delete the folder", e);
        }
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }
}

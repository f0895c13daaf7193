package io.rapport.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;
import io.smallrye.jwt.util.KeyUtils;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.lang.JoseException;

/**
 * The standard MicroProfile JWT verification settings, read here only to refuse a prod start that
 * could not verify tokens, or would trust the dev key pair. smallrye-jwt itself does the verifying.
 */
@ConfigMapping(prefix = "mp.jwt")
public interface TokenVerificationConfig {

    Verify verify();

    interface Verify {
        /** A PEM file, a JWKS file or a JWKS URL. */
        @WithName("publickey.location")
        Optional<String> publickeyLocation();

        /** The key inline, as an alternative to the location. */
        Optional<String> publickey();

        /** The {@code iss} every token must carry. */
        Optional<String> issuer();

        /** The {@code aud} values of which every token must carry one. */
        Optional<List<String>> audiences();

        /**
         * The signature algorithm a PEM key verifies, RS256 unless set: smallrye-jwt reads a PEM
         * key only as the key type of this algorithm.
         */
        @WithName("publickey.algorithm")
        Optional<String> publickeyAlgorithm();
    }

    /** Why a prod start must be refused with these settings, or null. */
    static String refusal(Verify v) {
        boolean noKey = v.publickeyLocation().filter(s -> !s.isBlank()).isEmpty()
                && v.publickey().filter(s -> !s.isBlank()).isEmpty();
        if (noKey) {
            return "no token verification key is configured: set MP_JWT_VERIFY_PUBLICKEY_LOCATION "
                    + "(mp.jwt.verify.publickey.location) to your issuer's PEM public key, JWKS file or JWKS URL";
        }
        String issuer = v.issuer().filter(s -> !s.isBlank()).orElse(null);
        if (issuer == null) {
            return "no token issuer is configured: set MP_JWT_VERIFY_ISSUER (mp.jwt.verify.issuer) "
                    + "to the iss your tokens carry";
        }
        if (v.audiences().orElse(List.of()).stream().allMatch(String::isBlank)) {
            return "no token audience is configured: set MP_JWT_VERIFY_AUDIENCES (mp.jwt.verify.audiences) "
                    + "to the aud your identity provider writes into Rapport's tokens (rapport by default),"
                    + " so that a token the same issuer made for another client is refused";
        }
        if (DevTokens.ISSUER.equals(issuer)) {
            return "mp.jwt.verify.issuer is the dev issuer '" + DevTokens.ISSUER
                    + "': configure your real issuer and its key";
        }
        String location = v.publickeyLocation().orElse("");
        if (isDevKey(location)) {
            return "mp.jwt.verify.publickey.location is the dev key pair made by dev mode (" + DevTokens.PUBLIC_KEY
                    + "): configure your issuer's key";
        }
        return unreadableKey(v);
    }

    /**
     * Why the key configured as a file, a classpath resource or inline cannot verify a token.
     * smallrye-jwt reads it at the first token, so a key file missing from its volume let the
     * service start, report ready and answer every request that carried a token with a 500. A
     * location is looked for as smallrye-jwt looks: {@code classpath:} on the classpath,
     * {@code file:} in the file system, a bare one in the file system and then on the classpath.
     * An http(s) URL (a JWKS endpoint) is fetched when tokens arrive, so it is not checked here.
     */
    private static String unreadableKey(Verify v) {
        String inline = v.publickey().filter(s -> !s.isBlank()).orElse(null);
        if (inline != null) {
            String type = keyType(inline);
            return type == null
                    ? "mp.jwt.verify.publickey holds no public key (PEM, JWK or JWKS)"
                    : mismatch("mp.jwt.verify.publickey", type, v);
        }
        String location = v.publickeyLocation().orElse("").trim();
        if (location.contains("://") && !location.startsWith("file:")) {
            return null;
        }
        String content = read(location);
        if (content == null) {
            return "mp.jwt.verify.publickey.location is " + location
                    + ", which is not a readable file: mount your issuer's public key there";
        }
        String type = keyType(content);
        return type == null
                ? "mp.jwt.verify.publickey.location is " + location + ", which holds no public key (PEM, JWK or JWKS)"
                : mismatch("mp.jwt.verify.publickey.location (" + location + ")", type, v);
    }

    /** The key's text at a location that is not a URL to fetch, or null when nothing is there. */
    private static String read(String location) {
        try {
            if (location.startsWith("classpath:")) {
                return resource(location.substring("classpath:".length()));
            }
            if (location.startsWith("file:")) {
                // The rest as a path, literally, as smallrye-jwt reads it ("file:///k" is "///k").
                return Files.readString(Path.of(location.substring("file:".length())));
            }
            Path file = Path.of(location);
            return Files.isRegularFile(file) ? Files.readString(file) : resource(location);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String resource(String name) throws IOException {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        try (InputStream in = loader == null ? null : loader.getResourceAsStream(name.replaceFirst("^/", ""))) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * Whether the text is a public key as smallrye-jwt reads one: a JWK or JWKS, a certificate, or
     * an RSA, EC or EdDSA key in PEM or bare base64 (the key types its signature algorithms use).
     */
    /** The JSON a Base64URL text encodes, or null when it is not that. */
    private static String base64UrlJson(String text) {
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8).trim();
            return decoded.startsWith("{") ? decoded : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static boolean isPublicKey(String text) {
        return keyType(text) != null;
    }

    /**
     * The type of public key the text holds: {@code RSA}, {@code EC} or {@code EdDSA} for a PEM or
     * bare key, {@code JWK} for a JWK or JWKS (whose keys name their own algorithm, and which
     * smallrye-jwt reads whatever the configured one), null for no public key.
     */
    static String keyType(String text) {
        String key = text.trim();
        try {
            if (key.startsWith("{")) {
                JsonWebKeySet set = key.contains("\"keys\"")
                        ? new JsonWebKeySet(key)
                        : new JsonWebKeySet(JsonWebKey.Factory.newJwk(key));
                return set.getJsonWebKeys().stream().anyMatch(k -> k.getKey() instanceof PublicKey) ? "JWK" : null;
            }
            String json = base64UrlJson(key);
            if (json != null) {
                // A JWK or JWKS may be given Base64URL-encoded, as MicroProfile JWT allows.
                return keyType(json);
            }
            if (key.contains("CERTIFICATE")) {
                return type(KeyUtils.decodeCertificate(key));
            }
            byte[] der = Base64.getMimeDecoder().decode(key.replaceAll("-----[^-]*-----", ""));
            for (String algorithm : List.of("RSA", "EC", "EdDSA")) {
                try {
                    return type(KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der)));
                } catch (GeneralSecurityException e) {
                    // Another key type: try the next.
                }
            }
            return null;
        } catch (GeneralSecurityException | JoseException | RuntimeException e) {
            return null;
        }
    }

    private static String type(PublicKey key) {
        String algorithm = key.getAlgorithm();
        return algorithm.equals("Ed25519") || algorithm.equals("Ed448") ? "EdDSA" : algorithm;
    }

    /** The key type a signature algorithm verifies with: RS and PS ones RSA, ES ones EC, EdDSA. */
    private static String typeFor(String algorithm) {
        if (algorithm.startsWith("ES")) {
            return "EC";
        }
        return algorithm.equals("EdDSA") ? "EdDSA" : "RSA";
    }

    /** Why a key of this type cannot verify the configured algorithm's tokens, or null. */
    private static String mismatch(String where, String type, Verify v) {
        String algorithm =
                v.publickeyAlgorithm().filter(a -> !a.isBlank()).orElse("RS256").trim();
        if (type.equals("JWK") || type.equals(typeFor(algorithm))) {
            return null;
        }
        return where + " holds an " + type + " key, and tokens are verified as " + algorithm
                + ", which smallrye-jwt reads only as an " + typeFor(algorithm)
                + " key: set MP_JWT_VERIFY_PUBLICKEY_ALGORITHM (mp.jwt.verify.publickey.algorithm)"
                + " to the key's algorithm, such as "
                + (type.equals("EC") ? "ES256" : type.equals("EdDSA") ? "EdDSA" : "RS256");
    }

    /** The dev public key, by its path or by its content (a copy elsewhere is still the dev key). */
    private static boolean isDevKey(String location) {
        String path = location.startsWith("file:") ? location.substring(5) : location;
        if (path.replace('\\', '/').endsWith(DevTokens.PUBLIC_KEY)) {
            return true;
        }
        Path dev = Path.of(DevTokens.PUBLIC_KEY);
        Path configured = Path.of(path);
        try {
            return Files.isRegularFile(dev) && Files.isRegularFile(configured) && Files.mismatch(dev, configured) == -1;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}

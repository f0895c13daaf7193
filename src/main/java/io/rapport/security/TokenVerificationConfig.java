package io.rapport.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

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
        if (DevTokens.ISSUER.equals(issuer)) {
            return "mp.jwt.verify.issuer is the dev issuer '" + DevTokens.ISSUER
                    + "': configure your real issuer and its key";
        }
        String location = v.publickeyLocation().orElse("");
        if (isDevKey(location)) {
            return "mp.jwt.verify.publickey.location is the dev key pair made by dev mode (" + DevTokens.PUBLIC_KEY
                    + "): configure your issuer's key";
        }
        return null;
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

package io.rapport.security;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Startup;
import io.rapport.config.RapportConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jboss.logging.Logger;

/**
 * Replaces a patient id with a keyed HMAC-SHA256 pseudonym before anything is stored. The same id
 * under the same key always gives the same pseudonym (so continuity of care can be measured), and
 * without the key the id cannot be recovered or confirmed by guessing.
 */
@Startup
@ApplicationScoped
public class Pseudonymizer {

    static final String DEV_KEY = "rapport-dev-key-not-secret";
    private static final Logger LOG = Logger.getLogger(Pseudonymizer.class);
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;

    public Pseudonymizer(RapportConfig config) {
        String secret = config.pseudonym().key().filter(k -> !k.isBlank()).orElse(null);
        if (secret == null) {
            if (LaunchMode.current() == LaunchMode.NORMAL) {
                throw new IllegalStateException(
                        "rapport.pseudonym.key is not set. Rapport stores no patient id, only an HMAC pseudonym, "
                                + "and needs a secret key for it: set the environment variable RAPPORT_PSEUDONYM_KEY "
                                + "(at least 32 random characters, e.g. `openssl rand -base64 48`). Keep it stable: "
                                + "a new key breaks continuity with pseudonyms already stored.");
            }
            secret = DEV_KEY;
        }
        if (DEV_KEY.equals(secret)) {
            LOG.warn("Using the built-in development pseudonym key: fine for dev and tests, never for real patients.");
        }
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
    }

    /** The pseudonym of a patient id: 64 lowercase hex characters. */
    public String pseudonym(String patientId) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return HexFormat.of().formatHex(mac.doFinal(patientId.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }
}

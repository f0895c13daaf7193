package io.rapport.security;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.rapport.config.RapportConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jboss.logging.Logger;

/**
 * Replaces a patient id with a keyed HMAC-SHA256 pseudonym before anything is stored. The same id
 * under the same key always gives the same pseudonym (so continuity of care can be measured), and
 * without the key the id cannot be recovered or confirmed by guessing.
 *
 * <p>A pseudonym reads {@code <key id>:<64 hex>}, so stored data says which key made it. After a
 * rotation the former keys stay configured: ingest recognises a returning patient's older
 * pseudonyms and moves them to the active key ({@link PatientRekeying}).
 */
@ApplicationScoped
public class Pseudonymizer {

    private static final Logger LOG = Logger.getLogger(Pseudonymizer.class);
    private static final String ALGORITHM = "HmacSHA256";
    /** HMAC of this text identifies a key in the database without revealing it. */
    private static final String FINGERPRINT_INPUT = "rapport pseudonym key fingerprint v1";

    private final String activeId;
    /** One initialised MAC per key id; each call works on a clone, since a Mac is not thread-safe. */
    private final Map<String, Mac> keys = new LinkedHashMap<>();

    public Pseudonymizer(RapportConfig config) {
        PseudonymKeys.Result read = PseudonymKeys.read(config.pseudonym(), LaunchMode.current() == LaunchMode.NORMAL);
        if (read.refusal() != null) {
            // Normally refused earlier, by config validation; kept so no path uses an unusable key.
            throw new ConfigurationException("Refusing to start: " + read.refusal());
        }
        PseudonymKeys configured = read.keys();
        this.activeId = configured.activeId();
        keys.put(activeId, mac(configured.secrets().get(activeId)));
        for (String id : configured.formerIds()) {
            keys.put(id, mac(configured.secrets().get(id)));
        }
        if (configured.secrets().containsValue(PseudonymKeys.DEV_KEY)) {
            LOG.warn("Using the built-in development pseudonym key: fine for dev and tests, never for real patients.");
        }
    }

    /** The pseudonym of a patient id under the active key. */
    public String pseudonym(String patientId) {
        return activeId + ":" + hmac(keys.get(activeId), patientId);
    }

    /** The pseudonyms the same patient had under each former key, so they can be moved to the active one. */
    public List<String> formerPseudonyms(String patientId) {
        return keys.entrySet().stream()
                .filter(e -> !e.getKey().equals(activeId))
                .map(e -> e.getKey() + ":" + hmac(e.getValue(), patientId))
                .toList();
    }

    public boolean rotated() {
        return keys.size() > 1;
    }

    public String activeKeyId() {
        return activeId;
    }

    /** Each configured key's fingerprint, by id: what the database keeps to recognise its keys. */
    public Map<String, String> fingerprints() {
        Map<String, String> out = new LinkedHashMap<>();
        keys.forEach((id, key) -> out.put(id, hmac(key, FINGERPRINT_INPUT)));
        return out;
    }

    /** The fingerprint the development key has, to name it when stored data was made with it. */
    static String devKeyFingerprint() {
        return hmac(mac(PseudonymKeys.DEV_KEY), FINGERPRINT_INPUT);
    }

    private static Mac mac(String secret) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM));
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    private static String hmac(Mac initialised, String text) {
        Mac mac;
        try {
            mac = (Mac) initialised.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("This JDK's HmacSHA256 cannot be cloned", e);
        }
        return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    }
}

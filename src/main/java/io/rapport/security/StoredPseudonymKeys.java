package io.rapport.security;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Compares the keys that made the stored pseudonyms with the configured ones before Rapport
 * serves. A prod start on data made under a key it does not hold (the dev key included) is
 * refused: new pseudonyms would never match the stored ones, and continuity of care would
 * silently break.
 */
@ApplicationScoped
public class StoredPseudonymKeys {

    private static final Logger LOG = Logger.getLogger(StoredPseudonymKeys.class);
    /** Rows recorded by the migration for data made before key ids existed. */
    private static final String UNKNOWN = "unknown";

    private final AgroalDataSource dataSource;
    private final Pseudonymizer pseudonymizer;

    StoredPseudonymKeys(AgroalDataSource dataSource, Pseudonymizer pseudonymizer) {
        this.dataSource = dataSource;
        this.pseudonymizer = pseudonymizer;
    }

    // Before anything else that observes startup, the scheduler included (it starts its jobs at
    // PLATFORM_BEFORE): nothing may be seeded, served or counted under a wrong key, and a refusal
    // must not shut down under a running job, which would print its stack trace after the reason.
    void check(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE - 1) StartupEvent event) throws SQLException {
        Map<String, String> configured = pseudonymizer.fingerprints();
        boolean prod = LaunchMode.current() == LaunchMode.NORMAL;
        try (Connection c = dataSource.getConnection()) {
            for (var stored : stored(c).entrySet()) {
                String id = stored.getKey();
                String fingerprint = configured.get(id);
                String problem = null;
                String ways = "configure that key ("
                        + (PseudonymKeys.DEFAULT_ID.equals(id) ? "RAPPORT_PSEUDONYM_KEY or " : "")
                        + "rapport.pseudonym.keys." + id + "), or start on a fresh data directory or database";
                if (fingerprint == null) {
                    problem = "the stored patient pseudonyms include ones made with key id '" + id
                            + "', which is not configured";
                } else if (UNKNOWN.equals(stored.getValue())) {
                    // Made before keys had ids: the key configured under this id is taken to be the one.
                    update(c, id, fingerprint);
                } else if (!fingerprint.equals(stored.getValue())
                        && stored.getValue().equals(Pseudonymizer.devKeyFingerprint())) {
                    problem = "the stored patient pseudonyms under key id '" + id
                            + "' were made with the development key, so this data comes from dev mode";
                    if (prod) {
                        // Prod refuses the dev key itself, so configuring it is no way out.
                        ways = "start on a fresh data directory or database";
                    }
                } else if (!fingerprint.equals(stored.getValue())) {
                    problem = "the stored patient pseudonyms under key id '" + id
                            + "' were made with a different key than the one configured now";
                }
                if (problem != null) {
                    if (prod) {
                        throw new ConfigurationException("Refusing to start: " + problem + ": " + ways + ".");
                    }
                    LOG.warnf("%s; continuity of care will not link those patients: %s.", problem, ways);
                }
            }
            register(c, pseudonymizer.activeKeyId(), configured.get(pseudonymizer.activeKeyId()));
        }
    }

    private static Map<String, String> stored(Connection c) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        try (PreparedStatement ps =
                        c.prepareStatement("SELECT key_id, fingerprint FROM pseudonym_key ORDER BY key_id");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2));
            }
        }
        return out;
    }

    private static void update(Connection c, String id, String fingerprint) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE pseudonym_key SET fingerprint = ? WHERE key_id = ?")) {
            ps.setString(1, fingerprint);
            ps.setString(2, id);
            ps.executeUpdate();
        }
    }

    private static void register(Connection c, String id, String fingerprint) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO pseudonym_key (key_id, fingerprint, first_used) "
                + "VALUES (?, ?, now()) ON CONFLICT (key_id) DO NOTHING")) {
            ps.setString(1, id);
            ps.setString(2, fingerprint);
            ps.executeUpdate();
        }
    }
}

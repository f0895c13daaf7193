package io.rapport.db;

import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Answers the datasource URL and credentials of the embedded PostgreSQL, starting it on the first
 * request for the URL. The URL is deliberately left out of {@link #getPropertyNames()}: the build
 * walks every listed property to record its value, and would start a database at build time.
 */
final class EmbeddedDatabaseConfigSource implements ConfigSource {

    /** Below application.properties (250), environment (300) and system properties (400). */
    static final int ORDINAL = 200;

    private static final String URL = "quarkus.datasource.jdbc.url";
    private static final Map<String, String> CREDENTIALS = Map.of(
            "quarkus.datasource.username", "postgres",
            "quarkus.datasource.password", "postgres");

    private final EmbeddedDatabaseSettings settings;

    EmbeddedDatabaseConfigSource(EmbeddedDatabaseSettings settings) {
        this.settings = settings;
    }

    @Override
    public Set<String> getPropertyNames() {
        return CREDENTIALS.keySet();
    }

    @Override
    public String getValue(String propertyName) {
        if (URL.equals(propertyName)) {
            return EmbeddedDatabaseProcess.startIfNeeded(settings).jdbcUrl();
        }
        return CREDENTIALS.get(propertyName);
    }

    @Override
    public int getOrdinal() {
        return ORDINAL;
    }

    @Override
    public String getName() {
        return "rapport-embedded-postgresql";
    }
}

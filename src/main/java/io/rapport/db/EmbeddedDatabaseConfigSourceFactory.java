package io.rapport.db;

import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Supplies the datasource settings of an embedded PostgreSQL when none are configured.
 *
 * <p>It is a config source rather than a bean because the datasource is configured before any bean
 * exists. With {@code quarkus.datasource.jdbc.url} set (environment, system property, properties
 * file) it contributes nothing, so Kubernetes and compose deployments never start a database here.
 * With the embedded database turned off and no URL, startup fails at once with a message naming
 * the variable to set.
 */
public class EmbeddedDatabaseConfigSourceFactory implements ConfigSourceFactory {

    static final String NO_DATABASE = "No database configured: the embedded PostgreSQL is turned off"
            + " (RAPPORT_EMBEDDED_DB_ENABLED=false, as in the container image) and QUARKUS_DATASOURCE_JDBC_URL"
            + " is not set. Set QUARKUS_DATASOURCE_JDBC_URL (e.g. jdbc:postgresql://db:5432/rapport),"
            + " QUARKUS_DATASOURCE_USERNAME and QUARKUS_DATASOURCE_PASSWORD to your PostgreSQL.";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        if (isSet(context.getValue("quarkus.datasource.jdbc.url")) || writingAppCdsArchive()) {
            return List.of();
        }
        if (!bool(context.getValue("rapport.embedded-db.enabled"), true)) {
            // Without this, the datasource would only be reported inactive deep in a stack trace;
            // a container must say at once what is missing, and never fall back to its own disk.
            throw new ConfigurationException(NO_DATABASE);
        }
        String dataDir = value(context.getValue("rapport.embedded-db.data-dir"));
        var settings = new EmbeddedDatabaseSettings(
                dataDir == null || dataDir.isBlank() ? null : Path.of(dataDir),
                Integer.parseInt(valueOr(context.getValue("rapport.embedded-db.port"), "0")),
                bool(context.getValue("rapport.embedded-db.durable"), true),
                DurationConverter.parseDuration(valueOr(
                        context.getValue("rapport.embedded-db.start-timeout"),
                        EmbeddedDatabaseSettings.DEFAULT_START_TIMEOUT.toString())));
        return List.of(new EmbeddedDatabaseConfigSource(settings));
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(EmbeddedDatabaseConfigSource.ORDINAL);
    }

    /**
     * Packaging (and the image build) run the application once only to record its classes for the
     * AppCDS archive: it exits before anything connects, so there is no database to start or refuse.
     */
    private static boolean writingAppCdsArchive() {
        return Boolean.getBoolean("quarkus.appcds.generate");
    }

    private static boolean isSet(ConfigValue v) {
        String s = value(v);
        return s != null && !s.isBlank();
    }

    private static boolean bool(ConfigValue v, boolean fallback) {
        String s = value(v);
        return s == null || s.isBlank() ? fallback : Boolean.parseBoolean(s.trim());
    }

    private static String valueOr(ConfigValue v, String fallback) {
        String s = value(v);
        return s == null || s.isBlank() ? fallback : s.trim();
    }

    private static String value(ConfigValue v) {
        return v == null ? null : v.getValue();
    }
}

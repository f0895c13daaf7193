package io.rapport.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/** Every {@code rapport.*} setting, with its default. The README's configuration table mirrors this. */
@ConfigMapping(prefix = "rapport")
public interface RapportConfig {

    EmbeddedDb embeddedDb();

    Pseudonym pseudonym();

    Ingest ingest();

    /** Per-instrument settings, keyed by instrument code (e.g. {@code rapport.instruments.SRS.cutoff}). */
    Map<String, InstrumentSettings> instruments();

    Trends trends();

    Metrics metrics();

    Demo demo();

    Db db();

    Http http();

    interface EmbeddedDb {
        /** Start an embedded PostgreSQL when no quarkus.datasource.jdbc.url is set. */
        @WithDefault("true")
        boolean enabled();

        /** Where the embedded PostgreSQL keeps its data; empty means a fresh temporary directory (tests). */
        Optional<String> dataDir();

        /** Port of the embedded PostgreSQL; 0 picks a free one. */
        @WithDefault("0")
        int port();

        /** fsync and synchronous_commit on; only tests may turn this off. */
        @WithDefault("true")
        boolean durable();

        /**
         * How long a start may take while the server runs: a recovery after a crash replays the
         * WAL first. One that exits while starting is reported at once.
         */
        @WithDefault("10m")
        Duration startTimeout();
    }

    interface Pseudonym {
        /**
         * HMAC-SHA256 key that turns patient ids into pseudonyms, known under the id {@code default}.
         * In prod this or {@link #keys()} is required.
         */
        Optional<String> key();

        /** Keys by id, for rotation: the active one makes new pseudonyms, the others are still recognised. */
        Map<String, String> keys();

        /** Id of the key that makes new pseudonyms; may be left out when only one key is configured. */
        Optional<String> activeKey();
    }

    interface Ingest {
        /** Largest number of events accepted in one batch request. */
        @WithDefault("1000")
        int maxBatch();

        /** Ingest requests per second allowed to one token subject, sustained. */
        @WithDefault("1000")
        double rateLimit();

        /** Ingest requests one token subject may send at once before the sustained rate applies. */
        @WithDefault("2000")
        int rateLimitBurst();

        /** Limits for particular token subjects (a platform with its own contract), by subject. */
        Map<String, SubjectLimit> subjects();
    }

    interface SubjectLimit {
        /** Requests per second for this subject; unset keeps rapport.ingest.rate-limit. */
        OptionalDouble rateLimit();

        /** Burst for this subject; unset keeps rapport.ingest.rate-limit-burst. */
        java.util.OptionalInt rateLimitBurst();
    }

    interface InstrumentSettings {
        /** Alert when a total falls below this value; unset keeps the instrument's default. */
        OptionalDouble cutoff();
    }

    interface Trends {
        /** Rating statistics over fewer responses than this are suppressed. */
        @WithDefault("5")
        int minGroupSize();

        /**
         * Connections manager answers may use beside their own, each to run one of an answer's
         * statements at the same time as the answer's other ones, in the answer's one snapshot; 0
         * runs every statement of an answer one after another.
         */
        @WithDefault("1")
        int helperConnections();

        /**
         * About how much memory each service instance may hold in manager answers kept for repeated
         * questions (estimated from their records' sizes); 0 keeps none. A kept answer is given only
         * while the clinic's data is as it was.
         */
        @WithDefault("16M")
        MemorySize cacheMemory();
    }

    interface Metrics {
        /** Publish per-clinic 7-day gauges labelled by clinic id. */
        @WithDefault("false")
        boolean clinicLabels();

        /** Most clinics given their own gauge series. */
        @WithDefault("200")
        int maxClinics();

        /** How often database-backed gauges are refreshed. */
        @WithDefault("60s")
        Duration refreshInterval();
    }

    interface Demo {
        /** Seed a synthetic clinic into an empty database (dev profile only). */
        @WithDefault("false")
        boolean enabled();
    }

    interface Http {
        /**
         * Most API requests served at once; one more is refused at once with a 503. Below the
         * worker pool's 200 threads, so a request never queues for a thread before its own
         * bounded wait for the database begins, and health checks always find one.
         */
        @WithDefault("150")
        int maxInFlight();
    }

    interface Db {
        /**
         * Longest a write transaction waits for any one answer from the database before it gives
         * up with a 503: bounds ingest when the database stalls. Reads use the longer socketTimeout.
         */
        @WithDefault("2500ms")
        Duration writeTimeout();

        /** Longest the readiness check waits for the database before it reports DOWN. */
        @WithDefault("2s")
        Duration healthTimeout();
    }
}

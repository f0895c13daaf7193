package io.rapport.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What SmallRye Config makes of map keys set by environment variable, read through {@link
 * RapportConfig} as the service reads it: the keys arrive lowercased and dotted, and only folded do
 * they name the instruments and subjects they were meant for. If a SmallRye upgrade starts keeping
 * keys as written, the first assertion says so.
 */
class MapKeysTest {

    @Test
    void keysSetByEnvironmentVariableFindTheirCodesOnlyFolded() {
        RapportConfig config = config(
                Map.of(
                        "RAPPORT_INSTRUMENTS_SRS_CUTOFF", "35",
                        "RAPPORT_INSTRUMENTS__WAI_SR__CUTOFF", "30",
                        "RAPPORT_INGEST_SUBJECTS__PLATFORM_A__RATE_LIMIT", "5"),
                Map.of());
        assertThat(config.instruments()).containsOnlyKeys("srs", "wai.sr");
        assertThat(config.ingest().subjects()).containsOnlyKeys("platform.a");

        Map<String, RapportConfig.InstrumentSettings> folded = MapKeys.folded(config.instruments());
        assertThat(folded.get(MapKeys.folded("SRS")).cutoff()).hasValue(35.0);
        assertThat(folded.get(MapKeys.folded("WAI-SR")).cutoff()).hasValue(30.0);
        assertThat(MapKeys.folded(config.ingest().subjects())
                        .get(MapKeys.folded("platform-a"))
                        .rateLimit())
                .hasValue(5.0);
    }

    @Test
    void theEnvironmentOverridesAFilesKeyAndAKeyWrittenAsTheCodeWinsOverOneFoldingAlike() {
        // SmallRye matches the variable to the file's key, which it knows: one key, the environment's value.
        RapportConfig config =
                config(Map.of("RAPPORT_INSTRUMENTS_SRS_CUTOFF", "35"), Map.of("rapport.instruments.SRS.cutoff", "34"));
        assertThat(config.instruments()).containsOnlyKeys("SRS");
        assertThat(MapKeys.folded(config.instruments()).get("SRS").cutoff()).hasValue(35.0);

        config = config(
                Map.of(), Map.of("rapport.instruments.srs.cutoff", "33", "rapport.instruments.SRS.cutoff", "34"));
        assertThat(config.instruments()).containsOnlyKeys("SRS", "srs");
        assertThat(MapKeys.folded(config.instruments()).get("SRS").cutoff()).hasValue(34.0);
    }

    /**
     * A code with a hyphen written the plain way cannot be split into a name and a setting: SmallRye
     * drops it, and the startup warning names it; the quoted form and a plain code are read.
     */
    @Test
    void aVariableNothingWasReadFromIsNamed() {
        Map<String, String> environment = Map.of(
                "RAPPORT_INSTRUMENTS_WAI_SR_CUTOFF", "50",
                "RAPPORT_INSTRUMENTS__CARE_X__CUTOFF", "30",
                "RAPPORT_INSTRUMENTS_SRS_CUTOFF", "35",
                "RAPPORT_INGEST_SUBJECTS__PLATFORM_A__RATE_LIMIT_BURST", "9",
                "RAPPORT_INGEST_SUBJECTS_PLATFORM_B_RATE_LIMIT", "5",
                "RAPPORT_INGEST_MAX_BATCH", "500");
        RapportConfig config = config(environment, Map.of());
        assertThat(config.instruments()).containsOnlyKeys("srs", "care.x");
        assertThat(UnreadMapVariables.unread(environment, config))
                .containsExactly("RAPPORT_INGEST_SUBJECTS_PLATFORM_B_RATE_LIMIT", "RAPPORT_INSTRUMENTS_WAI_SR_CUTOFF");
    }

    private static RapportConfig config(Map<String, String> environment, Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new EnvConfigSource(environment, 300))
                .withSources(new PropertiesConfigSource(properties, "test", 250))
                .withMapping(RapportConfig.class)
                .withConverter(Duration.class, 100, new DurationConverter())
                .withConverter(MemorySize.class, 100, new MemorySizeConverter())
                // No default sources: this JVM's own environment holds pom.xml's test variables.
                .build();
        return config.getConfigMapping(RapportConfig.class);
    }
}

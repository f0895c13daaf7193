package io.rapport.instrument;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.rapport.config.RapportConfig;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * rapport.instruments.CODE.cutoff, read through the real config mapping. The HTTP suite runs one
 * Quarkus with the defaults, so the override is checked here, where no database is involved.
 */
class InstrumentCutoffTest {

    private static InstrumentRegistry registryWith(String... keyValues) {
        // Quarkus's own converters, for durations and sizes written as "60s" and "16M" as in
        // application.properties.
        SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder()
                .withConverter(Duration.class, 100, new DurationConverter())
                .withConverter(MemorySize.class, 100, new MemorySizeConverter())
                .withMapping(RapportConfig.class);
        for (int i = 0; i < keyValues.length; i += 2) {
            builder.withDefaultValue(keyValues[i], keyValues[i + 1]);
        }
        SmallRyeConfig config = builder.build();
        return new InstrumentRegistry(null, null, null, config.getConfigMapping(RapportConfig.class), null, null);
    }

    @Test
    void theBuiltInCutoffsHoldWithoutConfiguration() {
        InstrumentRegistry registry = registryWith();
        assertThat(registry.cutoff(BuiltInInstruments.SRS)).isEqualTo(36.0);
        assertThat(registry.cutoff(BuiltInInstruments.NPS)).isEqualTo(7.0);
        assertThat(registry.cutoff(BuiltInInstruments.RAPPORT_5)).isEqualTo(3.0);
        assertThat(registry.cutoff(BuiltInInstruments.WAI_SR)).isNull();
        assertThat(registry.cutoff(BuiltInInstruments.CARE)).isNull();
    }

    @Test
    void aConfiguredCutoffReplacesOrAddsOne() {
        InstrumentRegistry registry = registryWith(
                "rapport.instruments.SRS.cutoff", "35",
                "rapport.instruments.WAI-SR.cutoff", "40");
        assertThat(registry.cutoff(BuiltInInstruments.SRS)).isEqualTo(35.0);
        assertThat(registry.cutoff(BuiltInInstruments.WAI_SR)).isEqualTo(40.0);
        assertThat(registry.cutoff(BuiltInInstruments.NPS)).isEqualTo(7.0);
    }
}

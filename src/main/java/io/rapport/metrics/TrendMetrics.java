package io.rapport.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * How manager answers ran their two halves: together on a helper connection, or one after another
 * and why. Many {@code not_imported} means the reports datasource balances over several servers,
 * so helpers reach another one than their answer's; many {@code no_connection}, that its pool is
 * too small for {@code rapport.trends.helper-connections}.
 */
// At startup, so every outcome's series is there from the first scrape on.
@Startup
@ApplicationScoped
public class TrendMetrics {

    /** How one answer's halves ran; the label is the name in lower case. */
    public enum Halves {
        TOGETHER,
        NO_HELPER,
        NO_CONNECTION,
        NOT_IMPORTED
    }

    private final Map<Halves, Counter> halves = new EnumMap<>(Halves.class);

    public TrendMetrics(MeterRegistry registry) {
        for (Halves outcome : Halves.values()) {
            halves.put(
                    outcome,
                    Counter.builder("rapport.trend.halves")
                            .description("Manager answers by how their two halves ran")
                            .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                            .register(registry));
        }
    }

    /** One answer's halves ran as {@code outcome}. */
    public void halves(Halves outcome) {
        halves.get(outcome).increment();
    }
}

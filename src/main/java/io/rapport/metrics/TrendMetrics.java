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
 * too small for {@code rapport.trends.helper-connections}. And whether an answer was given again
 * from the answers kept: {@code hit}; {@code stale} when its snapshot saw other data than the kept
 * one's (changed since, or a lagging standby); {@code miss} when none was kept (first asked,
 * dropped, or evicted by the bound).
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

    /** Whether an answer was given from the answers kept; the label is the name in lower case. */
    public enum Cached {
        HIT,
        STALE,
        MISS
    }

    private final Map<Halves, Counter> halves = new EnumMap<>(Halves.class);
    private final Map<Cached, Counter> cached = new EnumMap<>(Cached.class);

    public TrendMetrics(MeterRegistry registry) {
        register(registry, "rapport.trend.halves", "Manager answers by how their two halves ran", halves, Halves.class);
        register(
                registry,
                "rapport.trend.cache",
                "Manager answers by whether one kept for the same question was given",
                cached,
                Cached.class);
    }

    /** One counter per outcome, labelled with its name in lower case. */
    private static <E extends Enum<E>> void register(
            MeterRegistry registry, String name, String description, Map<E, Counter> into, Class<E> outcomes) {
        for (E outcome : outcomes.getEnumConstants()) {
            into.put(
                    outcome,
                    Counter.builder(name)
                            .description(description)
                            .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                            .register(registry));
        }
    }

    /** One answer's halves ran as {@code outcome}. */
    public void halves(Halves outcome) {
        halves.get(outcome).increment();
    }

    /** One answer was looked up among those kept, with {@code outcome}. */
    public void cached(Cached outcome) {
        cached.get(outcome).increment();
    }
}

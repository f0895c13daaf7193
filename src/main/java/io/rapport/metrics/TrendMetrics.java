package io.rapport.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

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

    /** Every outcome. */
    public static final List<String> OUTCOMES = List.of("together", "no_helper", "no_connection", "not_imported");

    private final Map<String, Counter> halves;

    public TrendMetrics(MeterRegistry registry) {
        halves = OUTCOMES.stream()
                .collect(Collectors.toMap(
                        Function.identity(),
                        outcome -> Counter.builder("rapport.trend.halves")
                                .description("Manager answers by how their two halves ran")
                                .tag("outcome", outcome)
                                .register(registry)));
    }

    /** One answer's halves ran as {@code outcome}, one of {@link #OUTCOMES}. */
    public void halves(String outcome) {
        halves.get(outcome).increment();
    }
}

package io.rapport.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.rapport.http.Routes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;

/**
 * Meter filters: fixed latency buckets for HTTP requests (so alert rules can compute p95 with
 * histogram_quantile), and no meter whose name promtool would flag.
 */
@Singleton
class HttpMetricsConfig {

    static final Duration[] REQUEST_SLOS = {
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)
    };

    /**
     * Keeps the exposition clean for {@code promtool check metrics}, which CI runs with no
     * finding allowed: meters whose names promtool flags are dropped when they carry no
     * operational signal (CPU count, CPU nanoseconds, Netty allocator internals, Agroal's
     * millisecond timings, the connection long-task timer), Agroal's pool gauges are renamed from {@code *_count} (a counter's
     * suffix) to {@code *_connections}, and meters that come without help text get one.
     */
    @Produces
    @Singleton
    MeterFilter promtoolClean() {
        return new MeterFilter() {
            @Override
            public MeterFilterReply accept(Meter.Id id) {
                String name = id.getName();
                boolean noise = name.equals("system.cpu.count")
                        || name.equals("process.cpu.time")
                        || name.startsWith("netty.")
                        // A long-task timer renders as _active_count and _duration_sum under one
                        // help line that promtool does not match; http_server_active_connections stays.
                        || name.equals("http.server.connections")
                        || (name.startsWith("agroal.") && "milliseconds".equals(id.getBaseUnit()));
                return noise ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
            }

            @Override
            public Meter.Id map(Meter.Id id) {
                String name = id.getName();
                String method = id.getTag("method");
                String kept = method == null ? null : Routes.method(method);
                if (name.equals("http.server.requests") && kept != null && !kept.equals(method)) {
                    // Any token is a method to HTTP: "PATIENT7731 /api/v1/visits" made a series of its own.
                    id = id.replaceTags(Tags.of(id.getTags()).and("method", kept));
                }
                if (name.equals("http.server.requests")) {
                    // Runs only for an id the registry has not seen: a request labelled by its
                    // template, as every routed one is, finds its meter without coming here.
                    String uri = id.getTag("uri");
                    String safe = UnmatchedRequestLabels.safeUri(uri, id.getTag("status"));
                    if (safe != null && !safe.equals(uri)) {
                        id = id.replaceTags(Tags.of(id.getTags()).and("uri", safe));
                    }
                }
                if (name.startsWith("agroal.") && name.endsWith(".count") && id.getType() == Meter.Type.GAUGE) {
                    id = id.withName(name.substring(0, name.length() - ".count".length()) + ".connections");
                }
                if (id.getDescription() == null || id.getDescription().isBlank()) {
                    id = new Meter.Id(
                            id.getName(),
                            Tags.of(id.getTags()),
                            id.getBaseUnit(),
                            "Recorded by " + id.getName().split("\\.")[0] + " (no description supplied)",
                            id.getType());
                }
                return id;
            }
        };
    }

    @Produces
    @Singleton
    MeterFilter httpServerSlos() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (!id.getName().equals("http.server.requests")) {
                    return config;
                }
                double[] nanos = new double[REQUEST_SLOS.length];
                for (int i = 0; i < nanos.length; i++) {
                    nanos[i] = REQUEST_SLOS[i].toNanos();
                }
                return DistributionStatisticConfig.builder()
                        .serviceLevelObjectives(nanos)
                        .build()
                        .merge(config);
            }
        };
    }
}

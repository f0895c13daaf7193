package io.rapport.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Histogram;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What ingest did, as counters and histograms. Called after a transaction commits, so a rolled-back
 * batch is never counted. Bucket boundaries are fixed here and listed in the README.
 */
// A singleton, not a client proxy: ingest calls it for every item of every batch.
@Singleton
public class IngestMetrics {

    static final double[] SHARE_BUCKETS = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};
    static final double[] DOCUMENTATION_BUCKETS = {60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 14400, 28800, 86400};
    static final double[] WAIT_BUCKETS = {30, 60, 120, 300, 600, 900, 1800, 3600, 7200};
    /** Live turn-taking gaps are seconds; messaging replies are minutes to days: one set serves both. */
    static final double[] LATENCY_BUCKETS = {
        0.5, 1, 2, 5, 10, 30, 60, 300, 900, 1800, 3600, 14400, 43200, 86400, 259200, 604800
    };

    static final double[] BATCH_BUCKETS = {1, 10, 50, 100, 250, 500, 1000};

    private final MeterRegistry registry;
    private final Histogram faceToFaceShare;
    private final Histogram documentation;
    private final Histogram waits;
    private final Histogram responseLatency;
    private final Histogram ratingScore;
    /**
     * The per-item counters, by name and labels: Micrometer's builder and registry lookup, run for
     * every item, cost more than the increment itself.
     */
    private final Map<String, Counter> itemCounters = new ConcurrentHashMap<>();
    /** Ingest paths to event kinds, as the ingest pipeline registers them at startup. */
    private final Map<String, String> kindsByPath = new ConcurrentHashMap<>();

    /**
     * Histograms of fractional values (shares, scores, sub-second latencies) are Prometheus client
     * histograms on Micrometer's own registry: Micrometer's DistributionSummary rounds each value
     * up to a whole number before bucketing, which would file a share of 0.67 under le="1.0".
     */
    public IngestMetrics(MeterRegistry registry, PrometheusMeterRegistry prometheus) {
        this.registry = registry;
        CollectorRegistry target = prometheus.getPrometheusRegistry();
        faceToFaceShare = histogram(
                target,
                "rapport_visit_face_to_face_share",
                "Face-to-face share of clinician time per visit",
                "modality",
                SHARE_BUCKETS);
        documentation = histogram(
                target,
                "rapport_visit_documentation_seconds",
                "EHR documentation time per visit",
                "modality",
                DOCUMENTATION_BUCKETS);
        waits = histogram(
                target, "rapport_visit_wait_seconds", "Wait past the scheduled start", "modality", WAIT_BUCKETS);
        responseLatency = histogram(
                target,
                "rapport_visit_response_latency_seconds",
                "Median provider response latency per visit",
                "modality",
                LATENCY_BUCKETS);
        ratingScore = histogram(
                target, "rapport_rating_normalized_score", "Rating totals scaled to 0..1", "instrument", SHARE_BUCKETS);
    }

    private static Histogram histogram(
            CollectorRegistry target, String name, String help, String label, double[] buckets) {
        return Histogram.build()
                .name(name)
                .help(help)
                .labelNames(label)
                .buckets(buckets)
                .register(target);
    }

    /**
     * Creates the visit counter of this modality and outcome at zero, before its first event: a
     * rate over a counter that appears with its first increment misses that increment, and a pod
     * that has ingested nothing since it started would read to the alert rules as no pod at all.
     */
    public void visitsAtZero(String modality, String outcome) {
        visitCounter(modality, outcome);
    }

    /** One visit stored or replayed. Histograms only see a visit when its stored state changed. */
    public void visit(String modality, String outcome, VisitFigures figures) {
        visitCounter(modality, outcome).increment();
        if ("unchanged".equals(outcome) || figures == null) {
            return;
        }
        observe(faceToFaceShare, modality, figures.faceToFaceShare());
        observe(documentation, modality, (double) figures.documentationSeconds());
        observe(waits, modality, figures.waitSeconds());
        observe(responseLatency, modality, figures.responseLatencySeconds());
    }

    private Counter visitCounter(String modality, String outcome) {
        return itemCounter(
                "rapport.visits.ingested", "Visit events ingested, by outcome", "modality", modality, outcome);
    }

    private Counter ratingCounter(String instrument, String outcome) {
        return itemCounter(
                "rapport.ratings.ingested", "Ratings ingested, by outcome", "instrument", instrument, outcome);
    }

    private Counter itemCounter(String name, String description, String label, String value, String outcome) {
        return itemCounters.computeIfAbsent(
                name + '\u0000' + value + '\u0000' + outcome,
                key -> Counter.builder(name)
                        .description(description)
                        .tag(label, value)
                        .tag("outcome", outcome)
                        .register(registry));
    }

    private static void observe(Histogram histogram, String label, Double value) {
        if (value != null) {
            histogram.labels(label).observe(value);
        }
    }

    /** The rating counter of this instrument label and outcome at zero: see {@link #visitsAtZero}. */
    public void ratingsAtZero(String instrument, String outcome) {
        ratingCounter(instrument, outcome);
    }

    public void rating(String instrument, String outcome, Double normalizedScore) {
        ratingCounter(instrument, outcome).increment();
        if (!"unchanged".equals(outcome)) {
            observe(ratingScore, instrument, normalizedScore);
        }
    }

    /** Counted only once the transaction that raised the alert has committed. */
    void alertRaised(@Observes(during = TransactionPhase.AFTER_SUCCESS) AlertRaised alert) {
        alertCounter(alert.instrument(), alert.reason()).increment(alert.count());
    }

    /**
     * The alert counter of this instrument label and reason at zero: see {@link #visitsAtZero}. The
     * README's daily review reads {@code increase()} of it, which missed a pod's first alert.
     */
    public void alertsRaisedAtZero(String instrument, String reason) {
        alertCounter(instrument, reason);
    }

    private Counter alertCounter(String instrument, String reason) {
        return Counter.builder("rapport.alerts.raised")
                .description("Alliance alerts raised")
                .tag("instrument", instrument)
                .tag("reason", reason)
                .register(registry);
    }

    /** A whole request refused (400, 413, 415) on an ingest path. Other paths are not ingest. */
    public void rejectedRequest(String path, Rejection reason) {
        String kind = kindOf(path);
        if (kind != null) {
            rejected(kind, reason, 1);
        }
    }

    /** Items of a batch refused one by one. */
    public void rejected(String kind, Rejection reason, int count) {
        if (count > 0) {
            rejectedCounter(kind, reason).increment(count);
        }
    }

    private Counter rejectedCounter(String kind, Rejection reason) {
        return Counter.builder("rapport.ingest.rejected")
                .description("Ingest events refused, by kind and reason")
                .tag("kind", kind)
                .tag("reason", reason.tag())
                .register(registry);
    }

    /**
     * A large batch of new events tried by {@code COPY}: {@code copied}, or {@code conflict} when
     * another transaction stored one of its keys meanwhile and the batch went through the upsert.
     * Counted when tried, whether or not the transaction then commits.
     */
    public void copyAttempt(String kind, boolean copied) {
        Counter.builder("rapport.ingest.copy.attempts")
                .description("Large batches of new events tried by COPY, by kind and result")
                .tag("kind", kind)
                .tag("result", copied ? "copied" : "conflict")
                .register(registry)
                .increment();
    }

    public void batchSize(String kind, int size) {
        DistributionSummary.builder("rapport.ingest.batch.size")
                .description("Events per batch request")
                .tag("kind", kind)
                .serviceLevelObjectives(BATCH_BUCKETS)
                .register(registry)
                .record(size);
    }

    /**
     * The ingest pipeline tells metrics which request paths carry which event kind, so a request
     * refused before it reaches the pipeline (malformed JSON, 413, 415) is still counted by kind.
     */
    public void ingestPath(String pathPrefix, String kind) {
        kindsByPath.put(pathPrefix, kind);
        // At zero from the start, as the item counters (visitsAtZero).
        for (Rejection reason : Rejection.values()) {
            rejectedCounter(kind, reason);
        }
    }

    String kindOf(String path) {
        if (path == null) {
            return null;
        }
        for (Map.Entry<String, String> e : kindsByPath.entrySet()) {
            if (path.startsWith(e.getKey())) {
                return e.getValue();
            }
        }
        return null;
    }

    /** The per-visit numbers the histograms observe. */
    public record VisitFigures(
            Double faceToFaceShare, int documentationSeconds, Double waitSeconds, Double responseLatencySeconds) {}
}

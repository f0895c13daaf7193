package io.rapport.trend;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.rapport.config.RapportConfig;
import io.rapport.metrics.TrendMetrics;
import io.rapport.metrics.TrendMetrics.Cached;
import io.rapport.trend.TrendSql.DataVersion;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * Manager answers kept for the next identical question, since dashboards ask the same ones again.
 * An answer is kept with the clinic's data version its snapshot saw ({@link TrendSql#dataVersion})
 * and given again only to a request whose own snapshot sees that same version, which then holds the
 * same writes to that clinic and would compute the same answer. Keys hold everything else an answer
 * depends on: the question and its window, and the instrument rules the service read for it.
 *
 * <p>Bounded by an estimate of the memory answers hold, since a daily series of forty providers
 * holds thousands of points and a summary a few dozen objects; answers nobody asked for in half an
 * hour are dropped.
 */
@ApplicationScoped
class AnswerCache {

    /** What an answer answers: its kind, its window, and every other input, compared by value. */
    record Key(String kind, TrendWindow window, List<?> inputs) {}

    private record Kept(DataVersion version, Object answer) {}

    private static final Duration IDLE = Duration.ofMinutes(30);

    private final Cache<Key, Kept> kept;
    private final TrendMetrics metrics;

    @Inject
    AnswerCache(RapportConfig config, TrendMetrics metrics) {
        this(config.trends().cacheMemory().asLongValue(), metrics);
    }

    /** Keeping answers of at most about {@code bytes}; none when it is 0. */
    AnswerCache(long bytes, TrendMetrics metrics) {
        this.kept = bytes <= 0
                ? null
                : Caffeine.newBuilder()
                        .maximumWeight(bytes)
                        .weigher((Key k, Kept v) -> bytes(v.answer()))
                        .expireAfterAccess(IDLE)
                        .build();
        this.metrics = metrics;
    }

    /**
     * The answer to {@code key} as {@code snapshot} sees the clinic: the one kept, if it was computed
     * at the version this snapshot sees, else {@code compute}'s, which runs in this snapshot and is
     * kept. The version is read in the same snapshot as the answer, never apart from it.
     */
    <T> T answer(TrendSql.Snapshot snapshot, Key key, Supplier<T> compute) {
        if (kept == null) {
            return compute.get();
        }
        return answer(TrendSql.dataVersion(snapshot, key.window().clinicId()), key, compute);
    }

    /** {@link #answer(TrendSql.Snapshot, Key, Supplier)} once the snapshot's version is read. */
    @SuppressWarnings("unchecked")
    <T> T answer(DataVersion version, Key key, Supplier<T> compute) {
        Kept found = kept.getIfPresent(key);
        if (found != null && found.version().equals(version)) {
            metrics.cached(Cached.HIT);
            return (T) found.answer();
        }
        metrics.cached(found == null ? Cached.MISS : Cached.STALE);
        T answer = compute.get();
        // The latest computed replaces any other: versions are not ordered (a failover or a
        // lagging standby can show an older state), and a newer state's request recomputes anyway.
        kept.put(key, new Kept(version, answer));
        return answer;
    }

    /** The estimated bytes of the answers kept now, after pending evictions: tests check the bound. */
    long bytesKept() {
        if (kept == null) {
            return 0;
        }
        kept.cleanUp();
        return kept.asMap().values().stream().mapToLong(v -> bytes(v.answer())).sum();
    }

    /**
     * About how much heap an answer and its entry hold, from the sizes of their records on a 64-bit
     * JVM with compressed pointers (a series point with its date string and value about 120 bytes,
     * a summary with its nested figures about 2,000).
     */
    static int bytes(Object answer) {
        int entry = 400;
        if (answer instanceof TrendSeries t) {
            return entry
                    + 300
                    + t.series().stream()
                            .mapToInt(s -> 100 + 120 * s.points().size())
                            .sum();
        }
        if (answer instanceof ProviderComparison p) {
            return entry + 1_000 + 800 * p.providers().size();
        }
        if (answer instanceof Drivers d) {
            return entry + 300 + 600 * d.drivers().size();
        }
        return entry + 2_000;
    }
}

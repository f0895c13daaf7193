package io.rapport.trend;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.rapport.config.RapportConfig;
import io.rapport.metrics.TrendMetrics;
import io.rapport.metrics.TrendMetrics.Cached;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * Manager answers kept for the next identical question, since dashboards ask the same ones again.
 * An answer is kept with the clinic's data version its snapshot saw ({@link TrendSql#dataVersion})
 * and given again only to a request whose own snapshot sees that same version: then it would
 * compute the same answer, so a kept answer is never stale, on any replica, whatever wrote to the
 * database in between. Keys hold everything else an answer depends on: the question and its window,
 * and the instrument rules the service read for it.
 *
 * <p>Bounded by the rows answers hold (a daily series of forty providers holds thousands), not by
 * their number; answers nobody asked for in half an hour are dropped.
 */
@ApplicationScoped
class AnswerCache {

    /** What an answer answers: its kind, its window, and every other input, compared by value. */
    record Key(String kind, TrendWindow window, List<?> inputs) {}

    private record Kept(long version, Object answer) {}

    private static final Duration IDLE = Duration.ofMinutes(30);

    private final Cache<Key, Kept> kept;
    private final TrendMetrics metrics;

    AnswerCache(RapportConfig config, TrendMetrics metrics) {
        long rows = config.trends().cacheRows();
        this.kept = rows <= 0
                ? null
                : Caffeine.newBuilder()
                        .maximumWeight(rows)
                        .weigher((Key k, Kept v) -> weight(v.answer()))
                        .expireAfterAccess(IDLE)
                        .build();
        this.metrics = metrics;
    }

    /**
     * The answer to {@code key} as {@code snapshot} sees the clinic: the one kept, if it was
     * computed at the version this snapshot sees, else {@code compute}'s, which runs in this
     * snapshot and is kept.
     */
    @SuppressWarnings("unchecked")
    <T> T answer(TrendSql.Snapshot snapshot, Key key, Supplier<T> compute) {
        if (kept == null) {
            return compute.get();
        }
        long version = TrendSql.dataVersion(snapshot, key.window().clinicId());
        Kept found = kept.getIfPresent(key);
        if (found != null && found.version() == version) {
            metrics.cached(Cached.HIT);
            return (T) found.answer();
        }
        metrics.cached(found == null ? Cached.MISS : Cached.STALE);
        T answer = compute.get();
        // Answers computed at once for one key may finish in any order: keep the newest data's.
        kept.asMap().merge(key, new Kept(version, answer), (old, now) -> old.version() > now.version() ? old : now);
        return answer;
    }

    /** Answers held now: tests check the bound. */
    long size() {
        return kept == null ? 0 : kept.estimatedSize();
    }

    /** Rows an answer holds, as the bound counts them. */
    static int weight(Object answer) {
        if (answer instanceof TrendSeries t) {
            return 1 + t.series().stream().mapToInt(s -> s.points().size()).sum();
        }
        if (answer instanceof ProviderComparison p) {
            return 1 + p.providers().size();
        }
        if (answer instanceof Drivers d) {
            return 1 + d.drivers().size();
        }
        return 1;
    }
}

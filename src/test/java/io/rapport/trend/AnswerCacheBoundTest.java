package io.rapport.trend;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.rapport.metrics.TrendMetrics;
import io.rapport.trend.TrendSql.DataVersion;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The memory bound of the answers kept, and what versions mean to it, without a database: the
 * cache is given each answer's version as {@link TrendSql#dataVersion} would read it.
 */
class AnswerCacheBoundTest {

    private static final DataVersion V1 = new DataVersion(1, 77);

    private static AnswerCache.Key key(int day) {
        LocalDate from = LocalDate.of(2026, 1, 1).plusDays(day);
        return new AnswerCache.Key(
                "series", new TrendWindow("c", from, from.plusDays(365), ZoneOffset.UTC, null, null), List.of());
    }

    /** A daily series of forty providers over a year: 14,600 points. */
    private static TrendSeries yearByProvider() {
        List<TrendSeries.Series> series = new ArrayList<>();
        for (int p = 0; p < 40; p++) {
            List<TrendSeries.Point> points = new ArrayList<>();
            for (int d = 0; d < 365; d++) {
                points.add(new TrendSeries.Point(
                        LocalDate.of(2026, 1, 1).plusDays(d).toString(), 3, 1.5, false));
            }
            series.add(new TrendSeries.Series("prov-" + p, points));
        }
        return new TrendSeries(
                "c", "2026-01-01", "2027-01-01", "UTC", null, null, "waitSeconds", "day", "p90", "provider", series);
    }

    @Test
    void theAnswersKeptStayWithinTheBound() {
        // 400 + 300 + 40 × (100 + 120 × 365) bytes each: 1,756,700.
        assertThat(AnswerCache.bytes(yearByProvider())).isEqualTo(1_756_700);
        AnswerCache cache = new AnswerCache(4_000_000, new TrendMetrics(new SimpleMeterRegistry()));
        for (int day = 0; day < 10; day++) {
            cache.answer(V1, key(day), AnswerCacheBoundTest::yearByProvider);
        }
        // Two fit in 4,000,000 bytes, three do not.
        assertThat(cache.bytesKept()).isEqualTo(2 * 1_756_700L);
    }

    @Test
    void onlyTheSameVersionIsGivenAgainAndTheLatestComputedIsKept() {
        AnswerCache cache = new AnswerCache(1_000_000, new TrendMetrics(new SimpleMeterRegistry()));
        assertThat(cache.answer(V1, key(0), () -> "first")).isEqualTo("first");
        assertThat(cache.answer(V1, key(0), () -> "never computed")).isEqualTo("first");
        // The same number of writes, other ones (another stamp): not the same data.
        DataVersion otherWrites = new DataVersion(1, 78);
        assertThat(cache.answer(otherWrites, key(0), () -> "second")).isEqualTo("second");
        // An older state (a lagging standby) is computed, and kept as the latest.
        DataVersion older = new DataVersion(0, 0);
        assertThat(cache.answer(older, key(0), () -> "older")).isEqualTo("older");
        assertThat(cache.answer(older, key(0), () -> "never computed")).isEqualTo("older");
        // Nothing kept when the bound is 0.
        AnswerCache none = new AnswerCache(0, new TrendMetrics(new SimpleMeterRegistry()));
        assertThat(none.answer((TrendSql.Snapshot) null, key(0), () -> "a")).isEqualTo("a");
        assertThat(none.answer((TrendSql.Snapshot) null, key(0), () -> "b")).isEqualTo("b");
        assertThat(none.bytesKept()).isZero();
    }
}

package io.rapport.trend;

import static io.rapport.trend.TrendSql.at;
import static io.rapport.trend.TrendSql.dbl;
import static io.rapport.trend.TrendSql.lng;

import io.rapport.config.RapportConfig;
import io.rapport.error.ProblemException;
import io.rapport.error.Violation;
import io.rapport.instrument.InstrumentDefinition;
import io.rapport.instrument.InstrumentRegistry;
import io.rapport.visit.Modality;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/** Turns a clinic manager's question into {@link TrendSql} queries and applies small-group suppression. */
@ApplicationScoped
public class TrendService {

    static final Set<String> INTERVALS = Set.of("day", "week", "month");
    static final Set<String> STATS = Set.of("mean", "p50", "p90", "p95", "count");
    static final Set<String> GROUP_BY = Set.of("none", "modality", "provider");
    private static final String TOTAL_SUFFIX = ".total";

    private final TrendSql sql;
    private final AnswerCache answers;
    private final InstrumentRegistry instruments;
    private final RapportConfig config;

    TrendService(TrendSql sql, AnswerCache answers, InstrumentRegistry instruments, RapportConfig config) {
        this.sql = sql;
        this.answers = answers;
        this.instruments = instruments;
        this.config = config;
    }

    private int minGroup() {
        return config.trends().minGroupSize();
    }

    public Summary summary(TrendWindow w) {
        Rules rules = rules(w.clinicId());
        return answered(
                new AnswerCache.Key("summary", w, rules.inputs()),
                sql::snapshotWithoutParallelWorkers,
                s -> summary(s, w, rules));
    }

    /**
     * The answer to {@code key} in one read-only snapshot: the one kept for the version that
     * snapshot sees, or {@code compute}'s in it.
     */
    private <T> T answered(AnswerCache.Key key, Function<TrendSql.Snapshot, T> compute) {
        return answered(key, sql::snapshot, compute);
    }

    /** {@link #answered(AnswerCache.Key, Function)} in the snapshot {@code open} gives. */
    private <T> T answered(
            AnswerCache.Key key, Supplier<TrendSql.Snapshot> open, Function<TrendSql.Snapshot, T> compute) {
        try (TrendSql.Snapshot snapshot = open.get()) {
            return answers.answer(snapshot, key, () -> compute.apply(snapshot));
        }
    }

    private Summary summary(TrendSql.Snapshot snapshot, TrendWindow w, Rules rules) {
        // Two halves of about equal cost: they run at once when a helper connection is free, in
        // one snapshot either way, neither with parallel workers (snapshotWithoutParallelWorkers).
        // The window's figures and continuity each read the whole window; the rating statistics,
        // a smaller range of rating_fact, go with continuity, the lighter (QueryBenchmark at 1M,
        // p50 at 90 and 365 days: 42 and 108 ms with the figures, 36 and 91 ms with continuity).
        TrendSql.Both<FiguresAndAlerts, ContinuityAndRatings> parts = snapshot.both(
                s -> new FiguresAndAlerts(TrendSql.windowFigures(s, w), TrendSql.openAlerts(s, w)),
                s -> new ContinuityAndRatings(
                        TrendSql.continuity(s, w),
                        TrendSql.ratingStats(
                                s, w, rules.codes(), rules.cutoffs(), rules.promoters(), rules.detractors())));
        Map<String, Object> t = parts.first().figures();
        long visits = lng(t.get("visits"));
        Map<String, Summary.Percentiles> byModality = new LinkedHashMap<>();
        for (Modality m : TrendSql.LIVE) {
            if (lng(t.get(TrendSql.latencyCount(m))) > 0) {
                byModality.put(m.name(), seconds(t.get(TrendSql.latencyPercentiles(m))));
            }
        }
        Summary.Percentiles latency = seconds(t.get("latency_p"));
        return new Summary(
                w.clinicId(),
                w.from().toString(),
                w.to().toString(),
                w.tz().getId(),
                w.modality(),
                w.providerId(),
                visits,
                spread(t, VisitMetric.FACE_TO_FACE_SHARE),
                spread(t, VisitMetric.FACE_TO_FACE_SECONDS),
                spread(t, VisitMetric.DOCUMENTATION_SECONDS),
                spread(t, VisitMetric.AFTER_HOURS_DOCUMENTATION_SECONDS),
                Round.share(dbl(t.get("doc_ratio"))),
                new Summary.Wait(
                        Round.seconds(at(t.get("wait_p"), 0)),
                        Round.seconds(at(t.get("wait_p"), 1)),
                        Round.share(dbl(t.get("wait_over_300")))),
                new Summary.Latency(latency.p50(), latency.p90(), latency.p95(), byModality),
                seconds(t.get("reply_p")),
                new Summary.Mean(Round.share(dbl(t.get("talk_mean")))),
                new Summary.Mean(Round.score(dbl(t.get("drops_mean")))),
                ratings(parts.second().ratingRows(), visits),
                parts.second().continuity(),
                parts.first().openAlerts());
    }

    private record FiguresAndAlerts(Map<String, Object> figures, long openAlerts) {}

    private record ContinuityAndRatings(Summary.Continuity continuity, List<Map<String, Object>> ratingRows) {}

    private static Summary.Percentiles seconds(Object p50p90p95) {
        return new Summary.Percentiles(
                Round.seconds(at(p50p90p95, 0)), Round.seconds(at(p50p90p95, 1)), Round.seconds(at(p50p90p95, 2)));
    }

    private static Summary.Spread spread(Map<String, Object> s, VisitMetric metric) {
        Object p = s.get(metric.column + "_p");
        return new Summary.Spread(
                Round.to(dbl(s.get(metric.column + "_mean")), metric.decimals),
                Round.to(at(p, 0), metric.decimals),
                Round.to(at(p, 1), metric.decimals));
    }

    /** The band names that make an NPS-style score: they come from the definition, never from literals here. */
    static final String PROMOTER = "promoter";

    static final String DETRACTOR = "detractor";

    private static String band(InstrumentDefinition def, String name) {
        return def.categories() == null
                ? null
                : def.categories().stream()
                        .map(InstrumentDefinition.Category::name)
                        .filter(name::equalsIgnoreCase)
                        .findFirst()
                        .orElse(null);
    }

    /** The clinic's instruments as the rating statistics bind them: codes, cutoffs and NPS bands. */
    private record Rules(String[] codes, Double[] cutoffs, String[] promoters, String[] detractors) {
        /** The rules as values to key an answer by (arrays compare by identity). */
        List<?> inputs() {
            return List.of(
                    Arrays.asList(codes), Arrays.asList(cutoffs), Arrays.asList(promoters), Arrays.asList(detractors));
        }
    }

    private Rules rules(String clinicId) {
        List<InstrumentDefinition> defs = instruments.list(clinicId);
        String[] codes = new String[defs.size()];
        Double[] cutoffs = new Double[defs.size()];
        String[] promoters = new String[defs.size()];
        String[] detractors = new String[defs.size()];
        for (int i = 0; i < defs.size(); i++) {
            codes[i] = defs.get(i).code();
            cutoffs[i] = instruments.cutoff(defs.get(i));
            promoters[i] = band(defs.get(i), PROMOTER);
            detractors[i] = band(defs.get(i), DETRACTOR);
        }
        return new Rules(codes, cutoffs, promoters, detractors);
    }

    private Map<String, Summary.RatingStats> ratings(List<Map<String, Object>> rows, long visits) {
        Map<String, Summary.RatingStats> out = new LinkedHashMap<>();
        for (Map<String, Object> row : rows) {
            String code = (String) row.get("instrument");
            long responses = lng(row.get("responses"));
            long complete = lng(row.get("complete"));
            Double rate = visits == 0 ? null : Round.share((double) responses / visits);
            // Statistics are over complete ratings, so those are what must reach the group size.
            if (complete < minGroup()) {
                out.put(code, new Summary.RatingStats(responses, rate, null, null, null, true));
                continue;
            }
            Double below = row.get("cutoff") == null ? null : Round.share((double) lng(row.get("below")) / complete);
            Double nps = Boolean.TRUE.equals(row.get("banded"))
                    ? Round.score(100.0 * (lng(row.get("promoters")) - lng(row.get("detractors"))) / complete)
                    : null;
            out.put(
                    code,
                    new Summary.RatingStats(
                            responses, rate, Round.score(dbl(row.get("mean_total"))), below, nps, false));
        }
        return out;
    }

    /**
     * A trend series asked of a clinic, its own parameters checked and resolved once: the column
     * to read ({@code column}) or the instrument whose totals to read ({@code rated}, a code the
     * clinic knows), or what is wrong with them.
     */
    public record SeriesQuery(
            String clinicId,
            String metric,
            String interval,
            String stat,
            String groupBy,
            String column,
            String rated,
            int decimals,
            List<Violation> violations) {}

    /** Checks a series' own parameters for a clinic in the caller's scope (a custom instrument is looked up). */
    public SeriesQuery seriesQuery(String clinicId, String metric, String interval, String stat, String groupBy) {
        List<Violation> violations = new ArrayList<>();
        if (!INTERVALS.contains(interval)) {
            violations.add(new Violation("interval", "must be one of day, week, month"));
        }
        if (!STATS.contains(stat)) {
            violations.add(new Violation("stat", "must be one of mean, p50, p90, p95, count"));
        }
        if (!GROUP_BY.contains(groupBy)) {
            violations.add(new Violation("groupBy", "must be one of none, modality, provider"));
        }
        Optional<VisitMetric> visitMetric = metric == null ? Optional.empty() : VisitMetric.byApiName(metric);
        // The instrument code comes from the client, so it is bound, never spliced.
        String rated = metric == null || visitMetric.isPresent() ? null : ratedInstrument(clinicId, metric);
        if (visitMetric.isEmpty() && rated == null) {
            violations.add(new Violation(
                    "metric",
                    "must be a per-visit metric (" + VisitMetric.apiNames()
                            + ") or an instrument total such as SRS.total"));
        }
        return new SeriesQuery(
                clinicId,
                metric,
                interval,
                stat,
                groupBy,
                visitMetric.map(m -> m.column).orElse(null),
                rated,
                visitMetric.map(m -> m.decimals).orElse(Round.SCORE),
                List.copyOf(violations));
    }

    /** The instrument whose total {@code metric} names ("SRS.total"), if the clinic knows it; else null. */
    private String ratedInstrument(String clinicId, String metric) {
        if (!metric.endsWith(TOTAL_SUFFIX)) {
            return null;
        }
        String code = metric.substring(0, metric.length() - TOTAL_SUFFIX.length());
        return instruments.find(clinicId, code).isPresent() ? code : null;
    }

    public TrendSeries trends(TrendWindow w, SeriesQuery q) {
        checked(w, q.clinicId(), q.violations());
        return answered(
                new AnswerCache.Key("trends", w, Arrays.asList(q.metric(), q.interval(), q.stat(), q.groupBy())),
                s -> series(s, w, q));
    }

    /** A query checked for the window's clinic: a 400 if it broke a rule (the caller's first check). */
    private static void checked(TrendWindow w, String clinicId, List<Violation> violations) {
        if (!w.clinicId().equals(clinicId)) {
            throw new IllegalArgumentException("A query checked for another clinic than the window's");
        }
        if (!violations.isEmpty()) {
            throw ProblemException.invalid(violations);
        }
    }

    /** A series of {@code q}'s column, or of its instrument's totals when it names one. */
    private TrendSeries series(TrendSql.Snapshot snapshot, TrendWindow w, SeriesQuery q) {
        String groupSql = switch (q.groupBy()) {
            case "modality" -> "v.modality";
            case "provider" -> "v.provider_id";
            default -> "'all'";
        };
        List<LocalDate> buckets = buckets(w, q.interval());
        Instant[] bucketStarts =
                buckets.stream().map(d -> d.atStartOfDay(w.tz()).toInstant()).toArray(Instant[]::new);
        Map<String, Map<LocalDate, Map<String, Object>>> byGroup = new LinkedHashMap<>();
        // A visit metric's series rows name every group with visits in the window already.
        Function<TrendSql.Snapshot, List<String>> groupsOf = s -> "none".equals(q.groupBy())
                ? List.of("all")
                : q.rated() == null ? List.of() : TrendSql.groups(s, w, groupSql);
        // The rows of one window or half: a bucket's value per group.
        BiFunction<TrendSql.Snapshot, TrendWindow, List<Map<String, Object>>> rowsOf =
                (s, part) -> TrendSql.series(s, part, q.column(), bucketStarts, q.stat(), groupSql, q.rated());
        List<String> groups;
        List<Map<String, Object>> rows = new ArrayList<>();
        List<TrendWindow> halves = halves(w, buckets);
        if (halves.size() == 1) {
            groups = groupsOf.apply(snapshot);
            rows.addAll(rowsOf.apply(snapshot, w));
        } else {
            // Each half a whole number of buckets, its own sort: they run at once, in one snapshot.
            TrendSql.Both<List<Map<String, Object>>, List<Map<String, Object>>> parts =
                    snapshot.both(s -> rowsOf.apply(s, halves.get(0)), s -> rowsOf.apply(s, halves.get(1)));
            groups = groupsOf.apply(snapshot);
            rows.addAll(parts.first());
            rows.addAll(parts.second());
            // Each half comes ordered by (group, bucket); a stable sort by group alone restores
            // that order for the whole, the earlier half's buckets first within each group.
            rows.sort(Comparator.comparing(row -> (String) row.get("grp")));
        }
        for (String g : groups) {
            byGroup.put(g, new HashMap<>());
        }
        for (Map<String, Object> row : rows) {
            byGroup.computeIfAbsent((String) row.get("grp"), g -> new HashMap<>())
                    .put(buckets.get(((Number) row.get("bucket")).intValue() - 1), row);
        }
        boolean ratingMetric = q.rated() != null;
        List<TrendSeries.Series> series = new ArrayList<>();
        for (var group : byGroup.entrySet()) {
            List<TrendSeries.Point> points = new ArrayList<>(buckets.size());
            for (LocalDate bucket : buckets) {
                Map<String, Object> row = group.getValue().get(bucket);
                long n = row == null ? 0 : lng(row.get("n"));
                Double value = row == null ? null : dbl(row.get("value"));
                boolean suppressed = ratingMetric && !"count".equals(q.stat()) && n < minGroup();
                points.add(new TrendSeries.Point(
                        bucket.toString(), n, suppressed ? null : Round.to(value, q.decimals()), suppressed));
            }
            series.add(new TrendSeries.Series(group.getKey(), points));
        }
        return new TrendSeries(
                w.clinicId(),
                w.from().toString(),
                w.to().toString(),
                w.tz().getId(),
                w.modality(),
                w.providerId(),
                q.metric(),
                q.interval(),
                q.stat(),
                q.groupBy(),
                series);
    }

    /**
     * The window cut in two where the middle bucket starts, so that no bucket straddles the cut and
     * each half's (group, bucket) rows are whole; the window itself when it holds a single bucket.
     */
    static List<TrendWindow> halves(TrendWindow w, List<LocalDate> buckets) {
        if (buckets.size() < 2) {
            return List.of(w);
        }
        // Index 1 or later: after the first bucket's start, which is on or before from.
        LocalDate cut = buckets.get(buckets.size() / 2);
        return List.of(
                new TrendWindow(w.clinicId(), w.from(), cut, w.tz(), w.modality(), w.providerId()),
                new TrendWindow(w.clinicId(), cut, w.to(), w.tz(), w.modality(), w.providerId()));
    }

    /** Bucket starts from the bucket holding {@code from} to the one holding the day before {@code to}. */
    static List<LocalDate> buckets(TrendWindow w, String interval) {
        LocalDate first = switch (interval) {
            case "week" -> w.from().with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            case "month" -> w.from().withDayOfMonth(1);
            default -> w.from();
        };
        List<LocalDate> out = new ArrayList<>();
        for (LocalDate d = first; d.isBefore(w.to()); ) {
            out.add(d);
            d = switch (interval) {
                case "week" -> d.plusWeeks(1);
                case "month" -> d.plusMonths(1);
                default -> d.plusDays(1);
            };
        }
        return out;
    }

    public ProviderComparison providers(TrendWindow w) {
        String[] codes = instruments.list(w.clinicId()).stream()
                .map(InstrumentDefinition::code)
                .toArray(String[]::new);
        return answered(new AnswerCache.Key("providers", w, Arrays.asList(codes)), s -> providers(s, w, codes));
    }

    private ProviderComparison providers(TrendSql.Snapshot snapshot, TrendWindow w, String[] codes) {
        // Two halves of about equal cost, at once when a helper is free: the sort by provider
        // and its groups, and the clinic's own percentiles with every rating figure.
        TrendSql.Both<List<Map<String, Object>>, ClinicAndRatings> parts = snapshot.both(
                s -> TrendSql.providerFigures(s, w),
                s -> new ClinicAndRatings(TrendSql.clinicFigures(s, w), TrendSql.providerRatings(s, w, codes)));
        List<Map<String, Object>> ratingRows = parts.second().ratingRows();
        // provider (null for the clinic) -> instrument -> rating figures
        Map<String, Map<String, ProviderComparison.Rating>> ratings = new HashMap<>();
        Set<String> hiddenSomewhere = new java.util.HashSet<>();
        for (Map<String, Object> row : ratingRows) {
            long responses = lng(row.get("responses"));
            boolean suppressed = responses < minGroup();
            String provider = lng(row.get("clinic_row")) == 1 ? null : (String) row.get("provider_id");
            String instrument = (String) row.get("instrument");
            if (provider != null && suppressed) {
                hiddenSomewhere.add(instrument);
            }
            ratings.computeIfAbsent(provider, p -> new java.util.TreeMap<>())
                    .put(
                            instrument,
                            new ProviderComparison.Rating(
                                    responses,
                                    suppressed ? null : Round.score(dbl(row.get("mean_total"))),
                                    suppressed));
        }
        // With one provider hidden, the clinic mean beside the others' would give its ratings away.
        if (ratings.containsKey(null)) {
            ratings.get(null)
                    .replaceAll((instrument, r) -> hiddenSomewhere.contains(instrument)
                            ? new ProviderComparison.Rating(r.responses(), null, true)
                            : r);
        }
        List<ProviderComparison.Row> providers = new ArrayList<>();
        for (Map<String, Object> row : parts.first()) {
            String provider = (String) row.get("provider_id");
            providers.add(comparisonRow(provider, row, ratings.getOrDefault(provider, Map.of())));
        }
        ProviderComparison.Row clinic =
                comparisonRow(null, parts.second().clinic(), ratings.getOrDefault(null, Map.of()));
        return new ProviderComparison(
                w.clinicId(),
                w.from().toString(),
                w.to().toString(),
                w.tz().getId(),
                w.modality(),
                w.providerId(),
                clinic,
                providers);
    }

    private record ClinicAndRatings(Map<String, Object> clinic, List<Map<String, Object>> ratingRows) {}

    /** One row of the comparison: a provider's, or the clinic's when {@code provider} is null. */
    private static ProviderComparison.Row comparisonRow(
            String provider, Map<String, Object> row, Map<String, ProviderComparison.Rating> ratings) {
        return new ProviderComparison.Row(
                provider,
                lng(row.get("visits")),
                Round.share(dbl(row.get("f2f_share"))),
                Round.seconds(dbl(row.get("documentation"))),
                Round.seconds(dbl(row.get("wait_p90"))),
                Round.seconds(dbl(row.get("latency_p50"))),
                Round.seconds(dbl(row.get("reply_p50"))),
                Round.share(dbl(row.get("talk"))),
                ratings);
    }

    /** The drivers asked of a clinic, the instrument checked once: a code the clinic knows, or what is wrong. */
    public record DriversQuery(String clinicId, String instrument, List<Violation> violations) {}

    /** Checks the drivers' instrument for a clinic in the caller's scope (a custom instrument is looked up). */
    public DriversQuery driversQuery(String clinicId, String instrument) {
        if (instrument == null || instruments.find(clinicId, instrument).isEmpty()) {
            return new DriversQuery(
                    clinicId,
                    instrument,
                    List.of(new Violation(
                            "instrument", "must be an instrument code known to this clinic, such as SRS")));
        }
        return new DriversQuery(clinicId, instrument, List.of());
    }

    public Drivers drivers(TrendWindow w, DriversQuery q) {
        checked(w, q.clinicId(), q.violations());
        String instrument = q.instrument();
        return answered(new AnswerCache.Key("drivers", w, List.of(instrument)), s -> drivers(s, w, instrument));
    }

    private Drivers drivers(TrendSql.Snapshot snapshot, TrendWindow w, String instrument) {
        // Two halves, each streaming the rated visits with half of the metrics and computing their
        // statistics: at once when a helper is free. Each half repeats the scan and the sort by
        // visit id; the rows sent and the sorts per metric, which it halves, cost more (README,
        // "Benchmarks").
        List<VisitMetric> all = List.of(VisitMetric.values());
        List<VisitMetric> firstHalf = all.subList(0, all.size() / 2);
        List<VisitMetric> secondHalf = all.subList(all.size() / 2, all.size());
        TrendSql.Both<Rated, Rated> parts = snapshot.both(
                s -> Rated.of(TrendSql.ratedPairs(s, w, instrument, firstHalf)),
                s -> Rated.of(TrendSql.ratedPairs(s, w, instrument, secondHalf)));
        long rated = parts.first().visits();
        if (parts.second().visits() != rated) {
            // One snapshot gives both halves the same visits; anything else is a broken import.
            throw new IllegalStateException("The drivers' halves saw different rated visits");
        }
        List<Drivers.Driver> drivers = new ArrayList<>();
        List<DriverStats.Result> results = new ArrayList<>(parts.first().results());
        results.addAll(parts.second().results());
        for (VisitMetric metric : VisitMetric.values()) {
            DriverStats.Result result = results.get(metric.ordinal());
            List<Drivers.Quartile> quartiles = new ArrayList<>(4);
            for (DriverStats.Quartile q : result.quartiles()) {
                boolean hidden = q.n() < minGroup();
                quartiles.add(new Drivers.Quartile(
                        q.quartile(),
                        q.n(),
                        // The bounds are visit figures, not ratings: only the mean total is suppressed.
                        Round.to(q.lower(), metric.decimals),
                        Round.to(q.upper(), metric.decimals),
                        hidden ? null : Round.score(q.meanTotal())));
            }
            boolean suppressed = result.n() < minGroup();
            drivers.add(new Drivers.Driver(
                    metric.apiName,
                    result.n(),
                    suppressed ? null : Round.share(result.correlation()),
                    suppressed,
                    quartiles));
        }
        return new Drivers(
                w.clinicId(),
                w.from().toString(),
                w.to().toString(),
                w.tz().getId(),
                w.modality(),
                w.providerId(),
                instrument,
                rated,
                drivers);
    }

    /** One half of the drivers: how many rated visits it saw, and its metrics' statistics. */
    private record Rated(long visits, List<DriverStats.Result> results) {
        static Rated of(DriverStats.Pairs pairs) {
            return new Rated(pairs.size(), DriverStats.of(pairs));
        }
    }
}

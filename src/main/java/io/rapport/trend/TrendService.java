package io.rapport.trend;

import static io.rapport.trend.TrendSql.date;
import static io.rapport.trend.TrendSql.dbl;
import static io.rapport.trend.TrendSql.lng;

import io.rapport.config.RapportConfig;
import io.rapport.error.ProblemException;
import io.rapport.error.Violation;
import io.rapport.instrument.InstrumentDefinition;
import io.rapport.instrument.InstrumentRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Turns a clinic manager's question into {@link TrendSql} queries and applies small-group suppression. */
@ApplicationScoped
public class TrendService {

    static final Set<String> INTERVALS = Set.of("day", "week", "month");
    static final Set<String> STATS = Set.of("mean", "p50", "p90", "p95", "count");
    static final Set<String> GROUP_BY = Set.of("none", "modality", "provider");
    private static final String TOTAL_SUFFIX = ".total";

    private final TrendSql sql;
    private final InstrumentRegistry instruments;
    private final RapportConfig config;

    TrendService(TrendSql sql, InstrumentRegistry instruments, RapportConfig config) {
        this.sql = sql;
        this.instruments = instruments;
        this.config = config;
    }

    private int minGroup() {
        return config.trends().minGroupSize();
    }

    public Summary summary(TrendWindow w) {
        Map<String, Object> s = sql.visitStats(w);
        long visits = lng(s.get("visits"));
        Map<String, Summary.Percentiles> byModality = new LinkedHashMap<>();
        for (Map<String, Object> row : sql.latencyByModality(w)) {
            byModality.put(
                    (String) row.get("modality"),
                    new Summary.Percentiles(dbl(row.get("p50")), dbl(row.get("p90")), dbl(row.get("p95"))));
        }
        return new Summary(
                w.clinicId(),
                w.from().toString(),
                w.to().toString(),
                w.tz().getId(),
                visits,
                spread(s, "face_to_face_share"),
                spread(s, "face_to_face_seconds"),
                spread(s, "documentation_seconds"),
                spread(s, "after_hours_documentation_seconds"),
                dbl(s.get("doc_ratio")),
                new Summary.Wait(dbl(s.get("wait_p50")), dbl(s.get("wait_p90")), dbl(s.get("wait_over_300"))),
                new Summary.Latency(
                        dbl(s.get("latency_p50")), dbl(s.get("latency_p90")), dbl(s.get("latency_p95")), byModality),
                new Summary.Mean(dbl(s.get("talk_mean"))),
                new Summary.Mean(dbl(s.get("drops_mean"))),
                ratings(w, visits),
                continuity(w),
                sql.openAlerts(w));
    }

    private static Summary.Spread spread(Map<String, Object> s, String column) {
        return new Summary.Spread(
                dbl(s.get(column + "_mean")), dbl(s.get(column + "_p50")), dbl(s.get(column + "_p90")));
    }

    private Map<String, Summary.RatingStats> ratings(TrendWindow w, long visits) {
        List<InstrumentDefinition> defs = instruments.list(w.clinicId());
        String[] codes = new String[defs.size()];
        Double[] cutoffs = new Double[defs.size()];
        for (int i = 0; i < defs.size(); i++) {
            codes[i] = defs.get(i).code();
            cutoffs[i] = instruments.cutoff(defs.get(i));
        }
        Map<String, Summary.RatingStats> out = new LinkedHashMap<>();
        for (Map<String, Object> row : sql.ratingStats(w, codes, cutoffs)) {
            String code = (String) row.get("instrument");
            long responses = lng(row.get("responses"));
            long complete = lng(row.get("complete"));
            Double rate = visits == 0 ? null : (double) responses / visits;
            // Statistics are over complete ratings, so those are what must reach the group size.
            if (complete < minGroup()) {
                out.put(code, new Summary.RatingStats(responses, rate, null, null, null, true));
                continue;
            }
            Double below =
                    row.get("cutoff") == null || complete == 0 ? null : (double) lng(row.get("below")) / complete;
            Double nps = "NPS".equals(code) && complete > 0
                    ? 100.0 * (lng(row.get("promoters")) - lng(row.get("detractors"))) / complete
                    : null;
            out.put(code, new Summary.RatingStats(responses, rate, dbl(row.get("mean_total")), below, nps, false));
        }
        return out;
    }

    private Summary.Continuity continuity(TrendWindow w) {
        Map<String, Object> c = sql.continuity(w);
        long patients = lng(c.get("patients"));
        if (patients == 0) {
            return new Summary.Continuity(0, null, null, null);
        }
        return new Summary.Continuity(patients, dbl(c.get("upc")), dbl(c.get("coc")), dbl(c.get("switch_rate")));
    }

    public TrendSeries trends(TrendWindow w, String metric, String interval, String stat, String groupBy) {
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
        String valueSql;
        String join = "";
        String instrument = null;
        Optional<VisitMetric> visitMetric = metric == null ? Optional.empty() : VisitMetric.byApiName(metric);
        if (visitMetric.isPresent()) {
            valueSql = "v." + visitMetric.get().column;
        } else if (metric != null
                && metric.endsWith(TOTAL_SUFFIX)
                && instruments
                        .find(w.clinicId(), metric.substring(0, metric.length() - TOTAL_SUFFIX.length()))
                        .isPresent()) {
            valueSql = "r.total";
            // The instrument code comes from the client, so it is bound, never spliced.
            join = "LEFT JOIN rating r ON r.clinic_id = v.clinic_id AND r.visit_id = v.visit_id AND r.complete "
                    + "AND r.instrument = ?";
            instrument = metric.substring(0, metric.length() - TOTAL_SUFFIX.length());
        } else {
            valueSql = null;
            violations.add(new Violation(
                    "metric",
                    "must be a per-visit metric (faceToFaceShare, faceToFaceSeconds, documentationSeconds, "
                            + "afterHoursDocumentationSeconds, waitSeconds, responseLatencySeconds, patientTalkShare, "
                            + "connectionDrops) or an instrument total such as SRS.total"));
        }
        if (!violations.isEmpty()) {
            throw ProblemException.invalid(violations);
        }
        String groupSql = switch (groupBy) {
            case "modality" -> "v.modality";
            case "provider" -> "v.provider_id";
            default -> "'all'";
        };
        List<LocalDate> buckets = buckets(w, interval);
        Map<String, Map<LocalDate, Map<String, Object>>> byGroup = new LinkedHashMap<>();
        List<String> groups = "none".equals(groupBy) ? List.of("all") : sql.groups(w, groupSql);
        for (String g : groups) {
            byGroup.put(g, new HashMap<>());
        }
        boolean ratingMetric = instrument != null;
        for (Map<String, Object> row : sql.series(w, valueSql, join, interval, stat, groupSql, instrument)) {
            byGroup.computeIfAbsent((String) row.get("grp"), g -> new HashMap<>())
                    .put(date(row.get("bucket")), row);
        }
        List<TrendSeries.Series> series = new ArrayList<>();
        for (var group : byGroup.entrySet()) {
            List<TrendSeries.Point> points = new ArrayList<>(buckets.size());
            for (LocalDate bucket : buckets) {
                Map<String, Object> row = group.getValue().get(bucket);
                long n = row == null ? 0 : lng(row.get("n"));
                Double value = row == null ? null : dbl(row.get("value"));
                boolean suppressed = ratingMetric && !"count".equals(stat) && n < minGroup();
                points.add(new TrendSeries.Point(bucket.toString(), n, suppressed ? null : value, suppressed));
            }
            series.add(new TrendSeries.Series(group.getKey(), points));
        }
        return new TrendSeries(metric, interval, stat, series);
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
        List<Map<String, Object>> rows = sql.providers(w);
        ProviderComparison.Row clinic = null;
        List<ProviderComparison.Row> providers = new ArrayList<>();
        for (Map<String, Object> row : rows) {
            ProviderComparison.Row r = providerRow(row);
            if (lng(row.get("clinic_row")) == 1) {
                clinic = new ProviderComparison.Row(
                        null,
                        r.visits(),
                        r.faceToFaceShareMean(),
                        r.documentationSecondsMean(),
                        r.waitSecondsP90(),
                        r.responseLatencySecondsP50(),
                        r.patientTalkShareMean(),
                        r.srsResponses(),
                        r.srsMeanTotal(),
                        r.srsSuppressed());
            } else {
                providers.add(r);
            }
        }
        // With one provider hidden, the clinic mean beside the others' would give its ratings away.
        if (clinic != null && providers.stream().anyMatch(p -> p.srsSuppressed() && p.srsResponses() > 0)) {
            clinic = new ProviderComparison.Row(
                    null,
                    clinic.visits(),
                    clinic.faceToFaceShareMean(),
                    clinic.documentationSecondsMean(),
                    clinic.waitSecondsP90(),
                    clinic.responseLatencySecondsP50(),
                    clinic.patientTalkShareMean(),
                    clinic.srsResponses(),
                    null,
                    true);
        }
        return new ProviderComparison(clinic, providers);
    }

    private ProviderComparison.Row providerRow(Map<String, Object> row) {
        long srs = lng(row.get("srs_responses"));
        boolean suppressed = srs < minGroup();
        return new ProviderComparison.Row(
                (String) row.get("provider_id"),
                lng(row.get("visits")),
                dbl(row.get("f2f_share")),
                dbl(row.get("documentation")),
                dbl(row.get("wait_p90")),
                dbl(row.get("latency_p50")),
                dbl(row.get("talk")),
                srs,
                suppressed ? null : dbl(row.get("srs_mean")),
                suppressed);
    }

    public Drivers drivers(TrendWindow w, String instrument) {
        if (instrument == null || instruments.find(w.clinicId(), instrument).isEmpty()) {
            throw ProblemException.badParameter(
                    "instrument", "must be an instrument code known to this clinic, such as SRS");
        }
        List<Drivers.Driver> drivers = new ArrayList<>();
        for (VisitMetric metric : VisitMetric.values()) {
            List<Map<String, Object>> rows = sql.driver(w, metric, instrument);
            long n = rows.isEmpty() ? 0 : lng(rows.get(0).get("n"));
            boolean suppressed = n < minGroup();
            Double r = suppressed ? null : dbl(rows.get(0).get("r"));
            List<Drivers.Quartile> quartiles = new ArrayList<>();
            for (int q = 1; q <= 4; q++) {
                long qn = 0;
                Double mean = null;
                for (Map<String, Object> row : rows) {
                    if (row.get("q") != null && lng(row.get("q")) == q) {
                        qn = lng(row.get("q_n"));
                        mean = dbl(row.get("q_mean"));
                    }
                }
                quartiles.add(new Drivers.Quartile(q, qn, qn < minGroup() ? null : mean));
            }
            drivers.add(new Drivers.Driver(metric.apiName, n, r, suppressed, quartiles));
        }
        return new Drivers(instrument, sql.ratedVisits(w, instrument), drivers);
    }
}

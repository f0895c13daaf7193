package io.rapport.trend;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The figures the trend endpoints must answer, worked out by plain arithmetic over the test's own
 * visit and rating objects. Nothing here calls the service or the database: these are the
 * independent numbers the HTTP answers are held against.
 */
final class TrendExpectations {

    /** rapport.trends.min-group-size: rating statistics over fewer responses are suppressed. */
    static final int MIN_GROUP_SIZE = 5;

    /** Per-visit metrics, in the order the drivers endpoint lists them. */
    static final List<String> VISIT_METRICS = List.of(
            "faceToFaceShare",
            "faceToFaceSeconds",
            "documentationSeconds",
            "afterHoursDocumentationSeconds",
            "waitSeconds",
            "responseLatencySeconds",
            "messageReplySeconds",
            "patientTalkShare",
            "connectionDrops");

    /** Room for floating-point sums when comparing with a cutoff or a drop threshold. */
    private static final double EPSILON = 1e-9;

    private static final Map<String, Double> CUTOFFS = cutoffs();

    private static Map<String, Double> cutoffs() {
        Map<String, Double> m = new TreeMap<>();
        m.put("SRS", 36.0);
        m.put("NPS", 7.0);
        m.put("RAPPORT-5", 3.0);
        m.put("CARE", null);
        m.put("WAI-SR", null);
        return m;
    }

    /** One visit as the test posts it. */
    record Visit(
            String visitId,
            String providerId,
            String patientId,
            String modality,
            Instant scheduledStart,
            Instant startedAt,
            Instant endedAt,
            int faceToFaceSeconds,
            int documentationSeconds,
            Integer afterHoursDocumentationSeconds,
            Double responseLatencySeconds,
            Double patientTalkShare,
            Integer connectionDrops) {

        Double waitSeconds() {
            if (scheduledStart == null) {
                return null;
            }
            return Math.max(0.0, (startedAt.toEpochMilli() - scheduledStart.toEpochMilli()) / 1000.0);
        }

        /** A message thread has no face-to-face time, and its latency is a reply time in hours. */
        boolean live() {
            return !modality.equals("MESSAGING");
        }

        Double faceToFaceShare() {
            int both = faceToFaceSeconds + documentationSeconds;
            return !live() || both == 0 ? null : (double) faceToFaceSeconds / both;
        }

        Double metric(String name) {
            return switch (name) {
                case "faceToFaceShare" -> faceToFaceShare();
                case "faceToFaceSeconds" -> live() ? (double) faceToFaceSeconds : null;
                case "documentationSeconds" -> (double) documentationSeconds;
                case "afterHoursDocumentationSeconds" -> toDouble(afterHoursDocumentationSeconds);
                case "waitSeconds" -> waitSeconds();
                case "responseLatencySeconds" -> live() ? responseLatencySeconds : null;
                case "messageReplySeconds" -> live() ? null : responseLatencySeconds;
                case "patientTalkShare" -> patientTalkShare;
                case "connectionDrops" -> toDouble(connectionDrops);
                default -> throw new IllegalArgumentException(name);
            };
        }

        LocalDate localDate(ZoneId zone) {
            return startedAt.atZone(zone).toLocalDate();
        }

        /** The request body; optional fields left out when null. */
        Map<String, Object> json(String clinicId) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("clinicId", clinicId);
            m.put("visitId", visitId);
            m.put("providerId", providerId);
            m.put("patientId", patientId);
            m.put("modality", modality);
            if (scheduledStart != null) {
                m.put("scheduledStart", scheduledStart.toString());
            }
            m.put("startedAt", startedAt.toString());
            m.put("endedAt", endedAt.toString());
            m.put("faceToFaceSeconds", faceToFaceSeconds);
            m.put("documentationSeconds", documentationSeconds);
            putIfPresent(m, "afterHoursDocumentationSeconds", afterHoursDocumentationSeconds);
            putIfPresent(m, "responseLatencySeconds", responseLatencySeconds);
            putIfPresent(m, "patientTalkShare", patientTalkShare);
            putIfPresent(m, "connectionDrops", connectionDrops);
            return m;
        }
    }

    /** One rating as the test posts it; its total is scored here by each instrument's published rule. */
    record Rating(String visitId, String instrument, List<Double> items) {

        Rating(String visitId, String instrument, Double... items) {
            this(visitId, instrument, Collections.unmodifiableList(Arrays.asList(items)));
        }

        /** Null when the instrument's missing-answer rule leaves the rating incomplete. */
        Double total() {
            List<Double> answered = items.stream().filter(Objects::nonNull).toList();
            double sum = answered.stream().mapToDouble(Double::doubleValue).sum();
            int missing = items.size() - answered.size();
            return switch (instrument) {
                // Items are given to one decimal, so the sum is too; rounding drops binary noise.
                case "SRS" -> Math.round(sum * 10) / 10.0;
                case "NPS" -> items.get(0);
                case "WAI-SR" -> sum;
                case "RAPPORT-5" -> sum / answered.size();
                // Up to two "does not apply" answers are replaced by the mean of the others.
                case "CARE" -> missing > 2 ? null : sum + missing * (sum / answered.size());
                default -> throw new IllegalArgumentException(instrument);
            };
        }

        boolean complete() {
            return total() != null;
        }

        Map<String, Object> json(String clinicId, Instant submittedAt) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("clinicId", clinicId);
            m.put("visitId", visitId);
            m.put("instrument", instrument);
            m.put("items", items);
            m.put("submittedAt", submittedAt.toString());
            return m;
        }
    }

    /** The query every endpoint shares. */
    record Window(LocalDate from, LocalDate to, ZoneId zone, String modality, String providerId) {

        static Window of(String from, String to, String zone) {
            return new Window(LocalDate.parse(from), LocalDate.parse(to), ZoneId.of(zone), null, null);
        }

        Window modality(String m) {
            return new Window(from, to, zone, m, providerId);
        }

        Window provider(String p) {
            return new Window(from, to, zone, modality, p);
        }

        boolean contains(Visit v) {
            Instant start = from.atStartOfDay(zone).toInstant();
            Instant end = to.atStartOfDay(zone).toInstant();
            return !v.startedAt().isBefore(start)
                    && v.startedAt().isBefore(end)
                    && (modality == null || modality.equals(v.modality()))
                    && (providerId == null || providerId.equals(v.providerId()));
        }

        Map<String, Object> query() {
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("from", from.toString());
            q.put("to", to.toString());
            q.put("tz", zone.getId());
            putIfPresent(q, "modality", modality);
            putIfPresent(q, "providerId", providerId);
            return q;
        }
    }

    record Point(String start, int visits, Double value, boolean suppressed) {}

    record Series(String group, List<Point> points) {}

    record Quartile(int quartile, int n, Double lower, Double upper, Double meanTotal) {}

    record Driver(String metric, int n, Double correlation, boolean suppressed, List<Quartile> quartiles) {}

    private final List<Visit> visits;
    private final List<Rating> ratings;
    private final Map<String, Visit> visitById;

    TrendExpectations(List<Visit> visits, List<Rating> ratings) {
        this.visits = List.copyOf(visits);
        this.ratings = List.copyOf(ratings);
        this.visitById = visits.stream().collect(Collectors.toMap(Visit::visitId, Function.identity()));
    }

    List<Visit> inWindow(Window w) {
        return visits.stream().filter(w::contains).toList();
    }

    /** Ratings whose visit is in the window, in the order they were given. */
    List<Rating> ratingsIn(Window w, String instrument) {
        return ratings.stream()
                .filter(r -> r.instrument().equals(instrument))
                .filter(r -> visitById.containsKey(r.visitId()) && w.contains(visitById.get(r.visitId())))
                .toList();
    }

    // ---- summary ----------------------------------------------------------------------------

    /**
     * Every number of the summary, keyed by its JSON path. Instrument keys are quoted because
     * codes such as RAPPORT-5 are not plain identifiers in a path.
     */
    Map<String, Object> summary(Window w) {
        List<Visit> in = inWindow(w);
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("visits", in.size());
        for (String metric : List.of(
                "faceToFaceShare", "faceToFaceSeconds", "documentationSeconds", "afterHoursDocumentationSeconds")) {
            List<Double> xs = values(in, metric);
            e.put(metric + ".mean", mean(xs));
            e.put(metric + ".p50", percentile(xs, 0.5));
            e.put(metric + ".p90", percentile(xs, 0.9));
        }
        // Over live visits only: a message thread's documentation has no face-to-face time to compare with.
        List<Visit> live = in.stream().filter(Visit::live).toList();
        double doc = live.stream().mapToDouble(Visit::documentationSeconds).sum();
        double f2f = live.stream().mapToDouble(Visit::faceToFaceSeconds).sum();
        e.put("documentationToFaceToFaceRatio", f2f == 0 ? null : doc / f2f);

        List<Double> waits = values(in, "waitSeconds");
        e.put("waitSeconds.p50", percentile(waits, 0.5));
        e.put("waitSeconds.p90", percentile(waits, 0.9));
        e.put("waitSeconds.shareOver300s", share(waits, x -> x > 300));

        List<Double> latency = values(in, "responseLatencySeconds");
        e.put("responseLatencySeconds.p50", percentile(latency, 0.5));
        e.put("responseLatencySeconds.p90", percentile(latency, 0.9));
        e.put("responseLatencySeconds.p95", percentile(latency, 0.95));
        for (String modality : latencyModalities(w)) {
            List<Double> xs = values(
                    in.stream().filter(v -> v.modality().equals(modality)).toList(), "responseLatencySeconds");
            String p = "responseLatencySeconds.byModality." + modality;
            e.put(p + ".p50", percentile(xs, 0.5));
            e.put(p + ".p90", percentile(xs, 0.9));
            e.put(p + ".p95", percentile(xs, 0.95));
        }
        List<Double> replies = values(in, "messageReplySeconds");
        e.put("messageReplySeconds.p50", percentile(replies, 0.5));
        e.put("messageReplySeconds.p90", percentile(replies, 0.9));
        e.put("messageReplySeconds.p95", percentile(replies, 0.95));
        e.put("patientTalkShare.mean", mean(values(in, "patientTalkShare")));
        e.put("connectionDrops.mean", mean(values(in, "connectionDrops")));

        for (String instrument : ratingInstruments(w)) {
            List<Rating> rs = ratingsIn(w, instrument);
            List<Double> totals = completeTotals(rs);
            boolean suppressed = rs.size() < MIN_GROUP_SIZE;
            Double cutoff = CUTOFFS.get(instrument);
            String p = "ratings.'" + instrument + "'.";
            e.put(p + "responses", rs.size());
            e.put(p + "responseRate", (double) rs.size() / in.size());
            e.put(p + "meanTotal", suppressed ? null : mean(totals));
            e.put(
                    p + "belowCutoffShare",
                    suppressed || cutoff == null ? null : share(totals, t -> t < cutoff - EPSILON));
            e.put(p + "npsScore", suppressed || !instrument.equals("NPS") ? null : npsScore(totals));
            e.put(p + "suppressed", suppressed);
        }

        e.putAll(continuity(careOf(w)));
        e.put("openAlerts", openAlerts(w.providerId(), w.modality()));
        return e;
    }

    /** The instruments the summary lists: those with at least one rating on a visit in the window. */
    TreeSet<String> ratingInstruments(Window w) {
        return ratings.stream()
                .filter(r -> visitById.containsKey(r.visitId()) && w.contains(visitById.get(r.visitId())))
                .map(Rating::instrument)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** The modalities byModality lists: live ones with at least one latency value. */
    TreeSet<String> latencyModalities(Window w) {
        return inWindow(w).stream()
                .filter(v -> v.metric("responseLatencySeconds") != null)
                .map(Visit::modality)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Double npsScore(List<Double> totals) {
        if (totals.isEmpty()) {
            return null;
        }
        long promoters = totals.stream().filter(t -> t >= 9).count();
        long detractors = totals.stream().filter(t -> t <= 6).count();
        return 100.0 * (promoters - detractors) / totals.size();
    }

    /**
     * The visits continuity of care is taken over: the window's, or, filtered by a provider, every
     * visit in the window (of the modality, if filtered) of the patients that provider saw in it.
     */
    List<Visit> careOf(Window w) {
        if (w.providerId() == null) {
            return inWindow(w);
        }
        Set<String> patients = inWindow(w).stream().map(Visit::patientId).collect(Collectors.toSet());
        return inWindow(w.provider(null)).stream()
                .filter(v -> patients.contains(v.patientId()))
                .toList();
    }

    /** UPC, Bice-Boxerman COC and the provider switch rate over patients with two or more visits. */
    static Map<String, Object> continuity(List<Visit> in) {
        Map<String, List<Visit>> byPatient =
                in.stream().collect(Collectors.groupingBy(Visit::patientId, TreeMap::new, Collectors.toList()));
        List<Double> upc = new ArrayList<>();
        List<Double> coc = new ArrayList<>();
        int switches = 0;
        int pairs = 0;
        for (List<Visit> seen : byPatient.values()) {
            int n = seen.size();
            if (n < 2) {
                continue;
            }
            Map<String, Long> perProvider =
                    seen.stream().collect(Collectors.groupingBy(Visit::providerId, Collectors.counting()));
            long most = Collections.max(perProvider.values());
            long squares = perProvider.values().stream().mapToLong(c -> c * c).sum();
            upc.add((double) most / n);
            coc.add((double) (squares - n) / ((double) n * (n - 1)));
            List<Visit> ordered = new ArrayList<>(seen);
            ordered.sort(Comparator.comparing(Visit::startedAt).thenComparing(Visit::visitId));
            for (int i = 1; i < n; i++) {
                pairs++;
                if (!ordered.get(i).providerId().equals(ordered.get(i - 1).providerId())) {
                    switches++;
                }
            }
        }
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("continuity.patients", upc.size());
        e.put("continuity.upc", mean(upc));
        e.put("continuity.coc", mean(coc));
        e.put("continuity.providerSwitchRate", pairs == 0 ? null : (double) switches / pairs);
        return e;
    }

    /**
     * Open alerts the ratings must have raised, over every visit of the clinic whatever its date:
     * one per rating below its instrument's cutoff, and one per SRS that fell by a point or more
     * since the same patient's previous SRS with the same provider (visits ordered by start), of
     * the provider's visits and of the modality's when those are given.
     */
    int openAlerts(String providerId, String modality) {
        int count = 0;
        for (Rating r : ratings) {
            Visit v = visitById.get(r.visitId());
            if (v == null
                    || !r.complete()
                    || (providerId != null && !providerId.equals(v.providerId()))
                    || (modality != null && !modality.equals(v.modality()))) {
                continue;
            }
            Double cutoff = CUTOFFS.get(r.instrument());
            if (cutoff != null && r.total() < cutoff - EPSILON) {
                count++;
            }
            if (r.instrument().equals("SRS")) {
                Double previous = previousSrs(v);
                if (previous != null && previous - r.total() >= 1.0 - EPSILON) {
                    count++;
                }
            }
        }
        return count;
    }

    private Double previousSrs(Visit current) {
        Comparator<Visit> order = Comparator.comparing(Visit::startedAt).thenComparing(Visit::visitId);
        return ratings.stream()
                .filter(r -> r.instrument().equals("SRS") && r.complete())
                .filter(r -> {
                    Visit v = visitById.get(r.visitId());
                    return v != null
                            && v.patientId().equals(current.patientId())
                            && v.providerId().equals(current.providerId())
                            && order.compare(v, current) < 0;
                })
                .max(Comparator.comparing(r -> visitById.get(r.visitId()), order))
                .map(Rating::total)
                .orElse(null);
    }

    // ---- trends -----------------------------------------------------------------------------

    private record Observation(Visit visit, double value) {}

    List<Series> trend(Window w, String metric, String interval, String stat, String groupBy) {
        boolean rating = metric.endsWith(".total");
        List<Observation> observations = new ArrayList<>();
        if (rating) {
            String instrument = metric.substring(0, metric.length() - ".total".length());
            for (Rating r : ratingsIn(w, instrument)) {
                if (r.complete()) {
                    observations.add(new Observation(visitById.get(r.visitId()), r.total()));
                }
            }
        } else {
            for (Visit v : inWindow(w)) {
                Double x = v.metric(metric);
                if (x != null) {
                    observations.add(new Observation(v, x));
                }
            }
        }
        Function<Visit, String> groupOf = switch (groupBy) {
            case "none" -> v -> "all";
            case "modality" -> Visit::modality;
            case "provider" -> Visit::providerId;
            default -> throw new IllegalArgumentException(groupBy);
        };
        TreeSet<String> groups = new TreeSet<>();
        if (groupBy.equals("none")) {
            groups.add("all");
        } else {
            inWindow(w).forEach(v -> groups.add(groupOf.apply(v)));
        }
        List<LocalDate> buckets = buckets(w.from(), w.to(), interval);
        List<Series> out = new ArrayList<>();
        for (String group : groups) {
            List<Point> points = new ArrayList<>();
            for (LocalDate bucket : buckets) {
                List<Double> xs = observations.stream()
                        .filter(o -> groupOf.apply(o.visit()).equals(group))
                        .filter(o -> bucketStart(o.visit().localDate(w.zone()), interval)
                                .equals(bucket))
                        .map(Observation::value)
                        .toList();
                boolean suppressed = rating && !stat.equals("count") && xs.size() < MIN_GROUP_SIZE;
                Double value = xs.isEmpty() || suppressed ? null : stat(xs, stat);
                points.add(new Point(bucket.toString(), xs.size(), value, suppressed));
            }
            out.add(new Series(group, points));
        }
        return out;
    }

    static List<LocalDate> buckets(LocalDate from, LocalDate to, String interval) {
        LocalDate last = bucketStart(to.minusDays(1), interval);
        List<LocalDate> out = new ArrayList<>();
        for (LocalDate b = bucketStart(from, interval); !b.isAfter(last); b = next(b, interval)) {
            out.add(b);
        }
        return out;
    }

    static LocalDate bucketStart(LocalDate d, String interval) {
        return switch (interval) {
            case "day" -> d;
            case "week" -> d.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            case "month" -> d.withDayOfMonth(1);
            default -> throw new IllegalArgumentException(interval);
        };
    }

    private static LocalDate next(LocalDate b, String interval) {
        return switch (interval) {
            case "day" -> b.plusDays(1);
            case "week" -> b.plusWeeks(1);
            default -> b.plusMonths(1);
        };
    }

    private static Double stat(List<Double> xs, String stat) {
        return switch (stat) {
            case "mean" -> mean(xs);
            case "p50" -> percentile(xs, 0.5);
            case "p90" -> percentile(xs, 0.9);
            case "p95" -> percentile(xs, 0.95);
            case "count" -> (double) xs.size();
            default -> throw new IllegalArgumentException(stat);
        };
    }

    // ---- providers --------------------------------------------------------------------------

    /**
     * The clinic row first, then one row per provider with visits in the window, by providerId.
     * Ratings are keyed "ratings.'CODE'.field"; {@link #providerInstruments} lists each row's codes.
     */
    List<Map<String, Object>> providerRows(Window w) {
        List<Map<String, Object>> rows = new ArrayList<>();
        rows.add(providerRow(null, inWindow(w), w));
        for (String p : providers(w)) {
            rows.add(providerRow(
                    p,
                    inWindow(w).stream().filter(v -> v.providerId().equals(p)).toList(),
                    w));
        }
        // A provider hidden with some ratings on an instrument: the clinic mean would give those
        // ratings away beside the others', so the clinic row hides its mean on that instrument too.
        for (String instrument : providerInstruments(w, null)) {
            boolean anyHidden = rows.stream()
                    .skip(1)
                    .anyMatch(r -> Boolean.TRUE.equals(r.get("ratings.'" + instrument + "'.suppressed")));
            if (anyHidden) {
                rows.get(0).put("ratings.'" + instrument + "'.meanTotal", null);
                rows.get(0).put("ratings.'" + instrument + "'.suppressed", true);
            }
        }
        return rows;
    }

    TreeSet<String> providers(Window w) {
        return inWindow(w).stream().map(Visit::providerId).collect(Collectors.toCollection(TreeSet::new));
    }

    /** Instruments with at least one complete rating in the window, for one provider or (null) all. */
    TreeSet<String> providerInstruments(Window w, String providerId) {
        return ratings.stream()
                .filter(Rating::complete)
                .filter(r -> visitById.containsKey(r.visitId()) && w.contains(visitById.get(r.visitId())))
                .filter(r -> providerId == null
                        || visitById.get(r.visitId()).providerId().equals(providerId))
                .map(Rating::instrument)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private Map<String, Object> providerRow(String providerId, List<Visit> in, Window w) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("providerId", providerId);
        row.put("visits", in.size());
        row.put("faceToFaceShareMean", mean(values(in, "faceToFaceShare")));
        row.put("documentationSecondsMean", mean(values(in, "documentationSeconds")));
        row.put("waitSecondsP90", percentile(values(in, "waitSeconds"), 0.9));
        row.put("responseLatencySecondsP50", percentile(values(in, "responseLatencySeconds"), 0.5));
        row.put("messageReplySecondsP50", percentile(values(in, "messageReplySeconds"), 0.5));
        row.put("patientTalkShareMean", mean(values(in, "patientTalkShare")));
        for (String instrument : providerInstruments(w, providerId)) {
            List<Double> totals = completeTotals(ratingsIn(w, instrument).stream()
                    .filter(r -> providerId == null
                            || visitById.get(r.visitId()).providerId().equals(providerId))
                    .toList());
            boolean suppressed = totals.size() < MIN_GROUP_SIZE;
            String p = "ratings.'" + instrument + "'.";
            row.put(p + "responses", totals.size());
            row.put(p + "meanTotal", suppressed ? null : mean(totals));
            row.put(p + "suppressed", suppressed);
        }
        return row;
    }

    // ---- drivers ----------------------------------------------------------------------------

    private record Pair(String visitId, double metric, double total) {}

    int ratedVisits(Window w, String instrument) {
        return completeTotals(ratingsIn(w, instrument)).size();
    }

    List<Driver> drivers(Window w, String instrument) {
        List<Driver> out = new ArrayList<>();
        for (String metric : VISIT_METRICS) {
            List<Pair> pairs = new ArrayList<>();
            for (Rating r : ratingsIn(w, instrument)) {
                Visit v = visitById.get(r.visitId());
                if (r.complete() && v.metric(metric) != null) {
                    pairs.add(new Pair(v.visitId(), v.metric(metric), r.total()));
                }
            }
            int n = pairs.size();
            boolean suppressed = n < MIN_GROUP_SIZE;
            Double r = suppressed ? null : pearson(pairs);
            out.add(new Driver(metric, n, r, suppressed, quartiles(pairs)));
        }
        return out;
    }

    private static Double pearson(List<Pair> pairs) {
        double mx = pairs.stream().mapToDouble(Pair::metric).average().orElseThrow();
        double my = pairs.stream().mapToDouble(Pair::total).average().orElseThrow();
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (Pair p : pairs) {
            sxy += (p.metric() - mx) * (p.total() - my);
            sxx += (p.metric() - mx) * (p.metric() - mx);
            syy += (p.total() - my) * (p.total() - my);
        }
        if (sxx == 0 || syy == 0) {
            return null;
        }
        return sxy / Math.sqrt(sxx * syy);
    }

    /** ntile(4) over the pairs ordered by (metric, visitId): the first n mod 4 groups get one more. */
    private static List<Quartile> quartiles(List<Pair> pairs) {
        List<Pair> sorted = new ArrayList<>(pairs);
        sorted.sort(Comparator.comparingDouble(Pair::metric).thenComparing(Pair::visitId));
        int n = sorted.size();
        List<Quartile> out = new ArrayList<>();
        int from = 0;
        for (int q = 1; q <= 4; q++) {
            int size = n / 4 + (q <= n % 4 ? 1 : 0);
            List<Pair> in = sorted.subList(from, from + size);
            List<Double> totals = in.stream().map(Pair::total).toList();
            from += size;
            // The bounds are the lowest and highest metric value in the quartile (sorted, so the ends).
            Double lower = in.isEmpty() ? null : in.get(0).metric();
            Double upper = in.isEmpty() ? null : in.get(in.size() - 1).metric();
            out.add(new Quartile(q, size, lower, upper, size < MIN_GROUP_SIZE ? null : mean(totals)));
        }
        return out;
    }

    // ---- arithmetic -------------------------------------------------------------------------

    private static List<Double> values(List<Visit> in, String metric) {
        return in.stream().map(v -> v.metric(metric)).filter(Objects::nonNull).toList();
    }

    private static List<Double> completeTotals(List<Rating> rs) {
        return rs.stream().map(Rating::total).filter(Objects::nonNull).toList();
    }

    static Double mean(List<Double> xs) {
        if (xs.isEmpty()) {
            return null;
        }
        double sum = 0;
        for (double x : xs) {
            sum += x;
        }
        return sum / xs.size();
    }

    /** PostgreSQL percentile_cont: linear interpolation between the closest ranks. */
    static Double percentile(List<Double> xs, double p) {
        if (xs.isEmpty()) {
            return null;
        }
        List<Double> sorted = new ArrayList<>(xs);
        Collections.sort(sorted);
        double h = p * (sorted.size() - 1);
        int lo = (int) Math.floor(h);
        if (lo + 1 >= sorted.size()) {
            return sorted.get(lo);
        }
        return sorted.get(lo) + (h - lo) * (sorted.get(lo + 1) - sorted.get(lo));
    }

    private static Double share(List<Double> xs, java.util.function.DoublePredicate test) {
        if (xs.isEmpty()) {
            return null;
        }
        return (double) xs.stream().filter(test::test).count() / xs.size();
    }

    private static Double toDouble(Integer i) {
        return i == null ? null : i.doubleValue();
    }

    private static void putIfPresent(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }
}

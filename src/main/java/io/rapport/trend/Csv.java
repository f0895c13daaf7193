package io.rapport.trend;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/** The CSV forms of the trend answers, for spreadsheets: one header row, RFC 4180 quoting. */
final class Csv {

    static final String MEDIA_TYPE = "text/csv";

    private Csv() {}

    static String of(List<String> header, List<List<Object>> rows) {
        StringBuilder sb = new StringBuilder();
        line(sb, List.copyOf(header));
        for (List<Object> row : rows) {
            line(sb, row);
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, List<?> cells) {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            String text = text(cells.get(i));
            if (text.contains(",") || text.contains("\"") || text.contains("\n")) {
                text = '"' + text.replace("\"", "\"\"") + '"';
            }
            sb.append(text);
        }
        sb.append("\r\n");
    }

    /**
     * A cell as a spreadsheet should take it. A decimal is written out, never in the exponent form
     * Java prints for small and large values (2.0E-4, 1.0E8). Text that starts like a formula
     * (=, +, -, @: a provider id "-A1" is read as a cell reference) gets a leading apostrophe, the
     * usual guard, which spreadsheets show as text.
     */
    static String text(Object cell) {
        if (cell == null) {
            return "";
        }
        if (cell instanceof Double d && Double.isFinite(d)) {
            String plain = d.toString();
            return plain.indexOf('E') < 0
                    ? plain
                    : BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
        }
        String text = cell.toString();
        if (cell instanceof CharSequence && !text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0) {
            return "'" + text;
        }
        return text;
    }

    /** The window and filters an answer was computed for: leading rows or columns of every CSV answer. */
    private static final List<String> WINDOW = List.of("clinicId", "from", "to", "tz", "modality", "providerId");

    private static List<Object> window(Echoed a) {
        return java.util.Arrays.asList(a.clinicId(), a.from(), a.to(), a.tz(), a.modality(), a.providerId());
    }

    /**
     * Wide answers: the window's six columns ahead of every row, named window.from and so on so
     * they never clash with a row's own columns (the provider comparison has a providerId per row).
     */
    private static String windowed(List<Object> window, List<String> header, List<List<Object>> rows) {
        List<String> h = new java.util.ArrayList<>(
                WINDOW.stream().map(c -> "window." + c).toList());
        h.addAll(header);
        List<List<Object>> out = new java.util.ArrayList<>(rows.size());
        for (List<Object> row : rows) {
            List<Object> r = new java.util.ArrayList<>(window);
            r.addAll(row);
            out.add(r);
        }
        return of(h, out);
    }

    /** Summary as long rows (metric, stat, value): the window first, then one row per number. */
    static String summary(Summary s) {
        List<List<Object>> rows = new java.util.ArrayList<>();
        List<Object> w = window(s);
        for (int i = 0; i < WINDOW.size(); i++) {
            rows.add(row("window", WINDOW.get(i), w.get(i)));
        }
        rows.add(List.of("visits", "count", s.visits()));
        spread(rows, "faceToFaceShare", s.faceToFaceShare());
        spread(rows, "faceToFaceSeconds", s.faceToFaceSeconds());
        spread(rows, "documentationSeconds", s.documentationSeconds());
        spread(rows, "afterHoursDocumentationSeconds", s.afterHoursDocumentationSeconds());
        rows.add(row("documentationToFaceToFaceRatio", "ratio", s.documentationToFaceToFaceRatio()));
        rows.add(row("waitSeconds", "p50", s.waitSeconds().p50()));
        rows.add(row("waitSeconds", "p90", s.waitSeconds().p90()));
        rows.add(row("waitSeconds", "shareOver300s", s.waitSeconds().shareOver300s()));
        rows.add(row("responseLatencySeconds", "p50", s.responseLatencySeconds().p50()));
        rows.add(row("responseLatencySeconds", "p90", s.responseLatencySeconds().p90()));
        rows.add(row("responseLatencySeconds", "p95", s.responseLatencySeconds().p95()));
        for (Map.Entry<String, Summary.Percentiles> e :
                s.responseLatencySeconds().byModality().entrySet()) {
            rows.add(row(
                    "responseLatencySeconds." + e.getKey(), "p50", e.getValue().p50()));
            rows.add(row(
                    "responseLatencySeconds." + e.getKey(), "p90", e.getValue().p90()));
            rows.add(row(
                    "responseLatencySeconds." + e.getKey(), "p95", e.getValue().p95()));
        }
        rows.add(row("messageReplySeconds", "p50", s.messageReplySeconds().p50()));
        rows.add(row("messageReplySeconds", "p90", s.messageReplySeconds().p90()));
        rows.add(row("messageReplySeconds", "p95", s.messageReplySeconds().p95()));
        rows.add(row("patientTalkShare", "mean", s.patientTalkShare().mean()));
        rows.add(row("connectionDrops", "mean", s.connectionDrops().mean()));
        for (Map.Entry<String, Summary.RatingStats> e : s.ratings().entrySet()) {
            Summary.RatingStats r = e.getValue();
            String m = "ratings." + e.getKey();
            rows.add(row(m, "responses", r.responses()));
            rows.add(row(m, "responseRate", r.responseRate()));
            rows.add(row(m, "meanTotal", r.meanTotal()));
            rows.add(row(m, "belowCutoffShare", r.belowCutoffShare()));
            rows.add(row(m, "npsScore", r.npsScore()));
            rows.add(row(m, "suppressed", r.suppressed()));
        }
        rows.add(row("continuity", "patients", s.continuity().patients()));
        rows.add(row("continuity", "upc", s.continuity().upc()));
        rows.add(row("continuity", "coc", s.continuity().coc()));
        rows.add(row("continuity", "providerSwitchRate", s.continuity().providerSwitchRate()));
        rows.add(row("openAlerts", "count", s.openAlerts()));
        return of(List.of("metric", "stat", "value"), rows);
    }

    private static void spread(List<List<Object>> rows, String metric, Summary.Spread s) {
        rows.add(row(metric, "mean", s.mean()));
        rows.add(row(metric, "p50", s.p50()));
        rows.add(row(metric, "p90", s.p90()));
    }

    private static List<Object> row(Object... cells) {
        return java.util.Arrays.asList(cells);
    }

    static String trends(TrendSeries t) {
        List<List<Object>> rows = new java.util.ArrayList<>();
        for (TrendSeries.Series s : t.series()) {
            for (TrendSeries.Point p : s.points()) {
                rows.add(row(
                        t.metric(),
                        t.interval(),
                        t.stat(),
                        t.groupBy(),
                        s.group(),
                        p.start(),
                        p.visits(),
                        p.value(),
                        p.suppressed()));
            }
        }
        return windowed(
                window(t),
                List.of("metric", "interval", "stat", "groupBy", "group", "start", "visits", "value", "suppressed"),
                rows);
    }

    /**
     * One row per provider beside the clinic's figures; then, for every instrument rated in the
     * window, the provider's and the clinic's complete ratings, means and whether each is
     * suppressed, side by side as the other figures are.
     */
    static String providers(ProviderComparison c) {
        ProviderComparison.Row k = c.clinic();
        java.util.SortedSet<String> instruments = new java.util.TreeSet<>();
        if (k != null) {
            instruments.addAll(k.ratings().keySet());
        }
        List<String> header = new java.util.ArrayList<>(List.of(
                "providerId",
                "visits",
                "clinicVisits",
                "faceToFaceShareMean",
                "clinicFaceToFaceShareMean",
                "documentationSecondsMean",
                "clinicDocumentationSecondsMean",
                "waitSecondsP90",
                "clinicWaitSecondsP90",
                "responseLatencySecondsP50",
                "clinicResponseLatencySecondsP50",
                "messageReplySecondsP50",
                "clinicMessageReplySecondsP50",
                "patientTalkShareMean",
                "clinicPatientTalkShareMean"));
        for (String i : instruments) {
            header.addAll(List.of(
                    i + ".responses",
                    i + ".clinicResponses",
                    i + ".meanTotal",
                    i + ".clinicMeanTotal",
                    i + ".suppressed",
                    i + ".clinicSuppressed"));
        }
        List<List<Object>> rows = new java.util.ArrayList<>();
        for (ProviderComparison.Row r : c.providers()) {
            List<Object> row = new java.util.ArrayList<>(row(
                    r.providerId(),
                    r.visits(),
                    k.visits(),
                    r.faceToFaceShareMean(),
                    k.faceToFaceShareMean(),
                    r.documentationSecondsMean(),
                    k.documentationSecondsMean(),
                    r.waitSecondsP90(),
                    k.waitSecondsP90(),
                    r.responseLatencySecondsP50(),
                    k.responseLatencySecondsP50(),
                    r.messageReplySecondsP50(),
                    k.messageReplySecondsP50(),
                    r.patientTalkShareMean(),
                    k.patientTalkShareMean()));
            for (String i : instruments) {
                ProviderComparison.Rating mine = r.ratings().get(i);
                ProviderComparison.Rating clinic = k.ratings().get(i);
                row.add(mine == null ? 0 : mine.responses());
                row.add(clinic.responses());
                row.add(mine == null ? null : mine.meanTotal());
                row.add(clinic.meanTotal());
                row.add(mine == null || mine.suppressed());
                // The clinic's own flag, as JSON's clinic row has it: a blank clinic mean beside a
                // provider's shown one would otherwise read as a clinic without ratings.
                row.add(clinic.suppressed());
            }
            rows.add(row);
        }
        return windowed(window(c), header, rows);
    }

    static String drivers(Drivers d) {
        List<List<Object>> rows = new java.util.ArrayList<>();
        for (Drivers.Driver x : d.drivers()) {
            List<Object> r = new java.util.ArrayList<>(
                    row(d.instrument(), d.ratedVisits(), x.metric(), x.n(), x.correlation(), x.suppressed()));
            for (Drivers.Quartile q : x.quartiles()) {
                r.add(q.n());
                r.add(q.lower());
                r.add(q.upper());
                r.add(q.meanTotal());
            }
            rows.add(r);
        }
        return windowed(
                window(d),
                List.of(
                        "instrument",
                        "ratedVisits",
                        "metric",
                        "n",
                        "correlation",
                        "suppressed",
                        "q1N",
                        "q1Lower",
                        "q1Upper",
                        "q1MeanTotal",
                        "q2N",
                        "q2Lower",
                        "q2Upper",
                        "q2MeanTotal",
                        "q3N",
                        "q3Lower",
                        "q3Upper",
                        "q3MeanTotal",
                        "q4N",
                        "q4Lower",
                        "q4Upper",
                        "q4MeanTotal"),
                rows);
    }
}

package io.rapport.trend;

import io.agroal.api.AgroalDataSource;
import io.rapport.db.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every trend query, computed in PostgreSQL (aggregates, percentile_cont, corr, ntile, lag) so
 * no visit rows travel to Java. Each query starts from the same filtered window of
 * {@code visit_facts}; only fixed column names from {@link VisitMetric} are placed in SQL text.
 */
@ApplicationScoped
class TrendSql {

    /** The window: 7 parameters, bound by {@link #bindWindow}. */
    private static final String WINDOW = """
            v AS (
                SELECT * FROM visit_facts
                WHERE clinic_id = ? AND started_at >= ? AND started_at < ?
                  AND (CAST(? AS text) IS NULL OR modality = ?)
                  AND (CAST(? AS text) IS NULL OR provider_id = ?)
            )""";

    private final AgroalDataSource dataSource;

    TrendSql(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Planner settings for these queries only. Each one aggregates a clinic's whole window, so
     * hash joins are right; but a clinic that grew since the last ANALYZE is estimated at a row
     * or two, and the planner then picks nested loops that rescan the window per rating: 100,000
     * visits took minutes instead of a second. Percentile sorts of that size also fit in work_mem.
     */
    private static final String PLANNER = "SET LOCAL enable_nestloop = off; SET LOCAL work_mem = '64MB'";

    private List<Map<String, Object>> queryWithoutWindow(String sql, Object... params) {
        return query(sql, null, params);
    }

    /** A result row as column label → value, in select order. Without a window, only {@code extra} is bound. */
    private List<Map<String, Object>> query(String sql, TrendWindow w, Object... extra) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (var settings = c.createStatement()) {
                    settings.execute(PLANNER);
                }
                List<Map<String, Object>> rows = run(c, sql, w, extra);
                c.commit();
                return rows;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("A trend query failed: " + e.getSQLState(), e);
        }
    }

    private static List<Map<String, Object>> run(Connection c, String sql, TrendWindow w, Object... extra)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int next = w == null ? 1 : bindWindow(ps, w, 1);
            for (Object p : extra) {
                if (p instanceof String[] array) {
                    ps.setArray(next++, c.createArrayOf("text", array));
                } else if (p instanceof Double[] array) {
                    ps.setArray(next++, c.createArrayOf("float8", array));
                } else {
                    ps.setObject(next++, p);
                }
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= columns; i++) {
                        row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                    }
                    rows.add(row);
                }
            }
            return rows;
        }
    }

    private static int bindWindow(PreparedStatement ps, TrendWindow w, int i) throws SQLException {
        ps.setString(i++, w.clinicId());
        Jdbc.setInstant(ps, i++, w.start());
        Jdbc.setInstant(ps, i++, w.end());
        ps.setString(i++, w.modality());
        ps.setString(i++, w.modality());
        ps.setString(i++, w.providerId());
        ps.setString(i++, w.providerId());
        return i;
    }

    private static String pct(double p, String column) {
        return "percentile_cont(" + p + ") WITHIN GROUP (ORDER BY " + column + ")";
    }

    Map<String, Object> visitStats(TrendWindow w) {
        StringBuilder select = new StringBuilder("count(*) AS visits");
        for (String col : List.of(
                "face_to_face_share",
                "face_to_face_seconds",
                "documentation_seconds",
                "after_hours_documentation_seconds")) {
            select.append(", avg(")
                    .append(col)
                    .append(") AS ")
                    .append(col)
                    .append("_mean")
                    .append(", ")
                    .append(pct(0.5, col))
                    .append(" AS ")
                    .append(col)
                    .append("_p50")
                    .append(", ")
                    .append(pct(0.9, col))
                    .append(" AS ")
                    .append(col)
                    .append("_p90");
        }
        select.append(", sum(documentation_seconds) / NULLIF(sum(face_to_face_seconds), 0) AS doc_ratio")
                .append(", ")
                .append(pct(0.5, "wait_seconds"))
                .append(" AS wait_p50")
                .append(", ")
                .append(pct(0.9, "wait_seconds"))
                .append(" AS wait_p90")
                .append(
                        ", avg(CASE WHEN wait_seconds > 300 THEN 1.0 WHEN wait_seconds IS NOT NULL THEN 0.0 END)::float8 AS wait_over_300")
                .append(", ")
                .append(pct(0.5, "response_latency_seconds"))
                .append(" AS latency_p50")
                .append(", ")
                .append(pct(0.9, "response_latency_seconds"))
                .append(" AS latency_p90")
                .append(", ")
                .append(pct(0.95, "response_latency_seconds"))
                .append(" AS latency_p95")
                .append(", avg(patient_talk_share) AS talk_mean, avg(connection_drops) AS drops_mean");
        return query("WITH " + WINDOW + " SELECT " + select + " FROM v", w).get(0);
    }

    List<Map<String, Object>> latencyByModality(TrendWindow w) {
        return query(
                "WITH " + WINDOW + " SELECT modality, "
                        + pct(0.5, "response_latency_seconds") + " AS p50, "
                        + pct(0.9, "response_latency_seconds") + " AS p90, "
                        + pct(0.95, "response_latency_seconds") + " AS p95 "
                        + "FROM v WHERE response_latency_seconds IS NOT NULL GROUP BY modality ORDER BY modality",
                w);
    }

    /** Per instrument: responses, complete ones, mean total, below-cutoff and NPS category counts. */
    List<Map<String, Object>> ratingStats(TrendWindow w, String[] instruments, Double[] cutoffs) {
        String sql = "WITH " + WINDOW + """
                , cutoffs AS (SELECT * FROM unnest(CAST(? AS text[]), CAST(? AS float8[])) AS c(instrument, cutoff))
                SELECT r.instrument,
                       count(*) AS responses,
                       count(*) FILTER (WHERE r.complete) AS complete,
                       avg(r.total) FILTER (WHERE r.complete) AS mean_total,
                       count(*) FILTER (WHERE r.complete AND r.total < c.cutoff) AS below,
                       max(c.cutoff) AS cutoff,
                       count(*) FILTER (WHERE r.complete AND r.total >= 9) AS promoters,
                       count(*) FILTER (WHERE r.complete AND r.total <= 6) AS detractors
                FROM rating r
                JOIN v ON v.clinic_id = r.clinic_id AND v.visit_id = r.visit_id
                LEFT JOIN cutoffs c ON c.instrument = r.instrument
                GROUP BY r.instrument
                ORDER BY r.instrument
                """;
        return query(sql, w, instruments, cutoffs);
    }

    /** UPC, Bice-Boxerman COC and the provider switch rate over patients with two or more visits. */
    Map<String, Object> continuity(TrendWindow w) {
        String sql = "WITH " + WINDOW + """
                , per_provider AS (
                    SELECT patient_pseudonym, provider_id, count(*)::float8 AS n
                    FROM v GROUP BY patient_pseudonym, provider_id
                ), per_patient AS (
                    SELECT patient_pseudonym, sum(n) AS total, max(n) AS top, sum(n * n) AS squares
                    FROM per_provider GROUP BY patient_pseudonym HAVING sum(n) >= 2
                ), ordered AS (
                    SELECT patient_pseudonym, provider_id,
                           lag(provider_id) OVER (PARTITION BY patient_pseudonym ORDER BY started_at, visit_id) AS previous
                    FROM v
                ), switches AS (
                    SELECT patient_pseudonym,
                           count(previous) AS pairs,
                           count(*) FILTER (WHERE previous IS NOT NULL AND previous <> provider_id) AS switched
                    FROM ordered GROUP BY patient_pseudonym
                )
                SELECT count(*) AS patients,
                       avg(p.top / p.total) AS upc,
                       avg((p.squares - p.total) / (p.total * (p.total - 1))) AS coc,
                       sum(s.switched)::float8 / NULLIF(sum(s.pairs), 0) AS switch_rate
                FROM per_patient p JOIN switches s USING (patient_pseudonym)
                """;
        return query(sql, w).get(0);
    }

    long openAlerts(TrendWindow w) {
        String sql = "WITH " + WINDOW + " SELECT count(*) AS n FROM alert "
                + "WHERE clinic_id = ? AND status = 'OPEN' AND (CAST(? AS text) IS NULL OR provider_id = ?)";
        return ((Number) query(sql, w, w.clinicId(), w.providerId(), w.providerId())
                        .get(0)
                        .get("n"))
                .longValue();
    }

    /**
     * One row per (group, bucket) with observations: the bucket is the local date that
     * date_trunc gives in the window's zone (weeks start Monday).
     */
    List<Map<String, Object>> series(
            TrendWindow w,
            String valueSql,
            String join,
            String interval,
            String stat,
            String groupSql,
            String instrument) {
        String aggregate = switch (stat) {
            case "mean" -> "avg(x)";
            case "count" -> "count(x)::float8";
            case "p50" -> pct(0.5, "x");
            case "p90" -> pct(0.9, "x");
            case "p95" -> pct(0.95, "x");
            default -> throw new IllegalArgumentException(stat);
        };
        String sql = "WITH " + WINDOW + ", obs AS (SELECT " + groupSql + " AS grp, "
                + "CAST(date_trunc('" + interval + "', v.started_at AT TIME ZONE ?) AS date) AS bucket, "
                + valueSql + " AS x FROM v " + join + ") "
                + "SELECT grp, bucket, count(x) AS n, " + aggregate + " AS value "
                + "FROM obs WHERE x IS NOT NULL GROUP BY grp, bucket ORDER BY grp, bucket";
        return instrument == null ? query(sql, w, w.tz().getId()) : query(sql, w, w.tz().getId(), instrument);
    }

    /** Groups that have visits in the window, so a group with no values still gets its empty series. */
    List<String> groups(TrendWindow w, String groupSql) {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> row :
                query("WITH " + WINDOW + " SELECT DISTINCT " + groupSql + " AS grp FROM v ORDER BY 1", w)) {
            out.add((String) row.get("grp"));
        }
        return out;
    }

    List<Map<String, Object>> providers(TrendWindow w) {
        String sql = "WITH " + WINDOW + """
                , srs AS (SELECT visit_id, total FROM rating WHERE clinic_id = ? AND instrument = 'SRS' AND complete)
                SELECT v.provider_id, GROUPING(v.provider_id) AS clinic_row,
                       count(*) AS visits,
                       avg(v.face_to_face_share) AS f2f_share,
                       avg(v.documentation_seconds) AS documentation,
                       percentile_cont(0.9) WITHIN GROUP (ORDER BY v.wait_seconds) AS wait_p90,
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY v.response_latency_seconds) AS latency_p50,
                       avg(v.patient_talk_share) AS talk,
                       count(srs.total) AS srs_responses,
                       avg(srs.total) AS srs_mean
                FROM v LEFT JOIN srs ON srs.visit_id = v.visit_id
                GROUP BY GROUPING SETS ((v.provider_id), ())
                ORDER BY clinic_row DESC, v.provider_id
                """;
        return query(sql, w, w.clinicId());
    }

    long ratedVisits(TrendWindow w, String instrument) {
        String sql = "WITH " + WINDOW + " SELECT count(*) AS n FROM rating r JOIN v ON v.clinic_id = r.clinic_id "
                + "AND v.visit_id = r.visit_id WHERE r.instrument = ? AND r.complete";
        return ((Number) query(sql, w, instrument).get(0).get("n")).longValue();
    }

    /** Pearson r and the mean total per quartile of one metric, over visits rated on the instrument. */
    List<Map<String, Object>> driver(TrendWindow w, VisitMetric metric, String instrument) {
        String sql = "WITH " + WINDOW + ", pairs AS (SELECT v.visit_id, v." + metric.column + " AS x, r.total AS y "
                + "FROM v JOIN rating r ON r.clinic_id = v.clinic_id AND r.visit_id = v.visit_id "
                + "WHERE r.instrument = ? AND r.complete AND v." + metric.column + " IS NOT NULL), "
                + "stats AS (SELECT count(*) AS n, corr(y, x) AS r FROM pairs), "
                + "quartiles AS (SELECT y, ntile(4) OVER (ORDER BY x, visit_id) AS q FROM pairs) "
                + "SELECT s.n, s.r, q.q, count(q.y) AS q_n, avg(q.y) AS q_mean "
                + "FROM stats s LEFT JOIN quartiles q ON true GROUP BY s.n, s.r, q.q ORDER BY q.q";
        return query(sql, w, instrument);
    }

    static Double dbl(Object o) {
        return o == null ? null : ((Number) o).doubleValue();
    }

    static long lng(Object o) {
        return o == null ? 0 : ((Number) o).longValue();
    }

    static LocalDate date(Object o) {
        return o instanceof java.sql.Date d ? d.toLocalDate() : (LocalDate) o;
    }
}

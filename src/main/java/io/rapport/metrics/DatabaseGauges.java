package io.rapport.metrics;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.scheduler.Scheduled;
import io.rapport.config.RapportConfig;
import io.rapport.db.DatabaseProbe;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Gauges read from the database on a schedule, never per scrape: a scrape must stay cheap however
 * many Prometheus servers ask, and a slow database must not make /q/metrics time out.
 */
@ApplicationScoped
public class DatabaseGauges {

    private static final Logger LOG = Logger.getLogger(DatabaseGauges.class);

    private final DatabaseProbe probe;

    private final AgroalDataSource dataSource;
    private final RapportConfig config;
    private final InstrumentLabels instruments;
    private final AtomicInteger databaseReady = new AtomicInteger(0);

    /** When every gauge read from the database was last refreshed, in epoch milliseconds; 0 before. */
    private final AtomicLong refreshed = new AtomicLong();

    private final Map<String, AtomicInteger> openAlerts = new ConcurrentHashMap<>();
    private final MultiGauge clinicFaceToFaceShare;
    private final MultiGauge clinicWaitP90;
    private final MultiGauge clinicBelowCutoff;

    DatabaseGauges(
            AgroalDataSource dataSource,
            DatabaseProbe probe,
            RapportConfig config,
            InstrumentLabels instruments,
            MeterRegistry registry) {
        this.dataSource = dataSource;
        this.probe = probe;
        this.config = config;
        this.instruments = instruments;
        Gauge.builder("rapport.database.ready", databaseReady, AtomicInteger::get)
                .description("1 when the last database check (every 15 s) succeeded")
                .register(registry);
        // A failed refresh keeps the last values, so a gauge cannot tell its reader it is stale: this
        // one can (RapportDatabaseGaugesStale), beside rapport_database_ready, which says why.
        Gauge.builder("rapport.database.gauges.refreshed.timestamp", refreshed, r -> r.get() / 1000.0)
                .description("When the gauges read from the database (rapport_alerts_open and, with clinic labels,"
                        + " rapport_clinic_*) were last refreshed in full, as Unix time; 0 before the first time")
                .baseUnit("seconds")
                .register(registry);
        for (String instrument : instruments.labels()) {
            AtomicInteger holder = new AtomicInteger();
            openAlerts.put(instrument, holder);
            Gauge.builder("rapport.alerts.open", holder, AtomicInteger::get)
                    .description("Alliance alerts currently open")
                    .tag("instrument", instrument)
                    .register(registry);
        }
        clinicFaceToFaceShare = MultiGauge.builder("rapport.clinic.face.to.face.share.7d")
                .description("Mean face-to-face share over the last 7 days, per clinic")
                .register(registry);
        clinicWaitP90 = MultiGauge.builder("rapport.clinic.wait.seconds.p90.7d")
                .description("90th percentile wait over the last 7 days, per clinic")
                .register(registry);
        clinicBelowCutoff = MultiGauge.builder("rapport.clinic.below.cutoff.share.7d")
                .description("Share of complete ratings below their instrument's cutoff over the last 7 days,"
                        + " per clinic and instrument (clinic-registered ones together as custom)")
                .register(registry);
    }

    /** Readiness's own check, so the gauge and readiness agree (a busy pool is not a database away). */
    @Scheduled(every = "15s", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void checkDatabase() {
        DatabaseProbe.Check check = probe.check();
        databaseReady.set(check.up() ? 1 : 0);
        if (!check.up()) {
            LOG.warnf("Database check failed: %s", check.reason());
        }
    }

    @Scheduled(
            every = "${rapport.metrics.refresh-interval:60s}",
            delayed = "2s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public void refresh() {
        boolean all = true;
        try (Connection c = dataSource.getConnection()) {
            refreshOpenAlerts(c);
        } catch (SQLException e) {
            LOG.warnf("Refreshing database gauges failed: %s", reason(e));
            all = false;
        }
        if (config.metrics().clinicLabels()) {
            all &= refreshClinicGauges();
        }
        if (all) {
            refreshed.set(System.currentTimeMillis());
        }
    }

    /** The per-clinic 7-day gauges; {@link #refresh()} calls this when clinic labels are on. Whether they were. */
    public boolean refreshClinicGauges() {
        try (Connection c = dataSource.getConnection()) {
            refreshClinics(c);
            return true;
        } catch (SQLException e) {
            LOG.warnf("Refreshing clinic gauges failed: %s", reason(e));
            return false;
        }
    }

    private static String reason(SQLException e) {
        return e.getSQLState() != null ? e.getSQLState() : "no pooled connection in time";
    }

    private void refreshOpenAlerts(Connection c) throws SQLException {
        Map<String, Integer> counts = new ConcurrentHashMap<>();
        String sql = "SELECT instrument, count(*) FROM alert WHERE status = 'OPEN' GROUP BY instrument";
        try (PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                counts.merge(instruments.label(rs.getString(1)), rs.getInt(2), Integer::sum);
            }
        }
        openAlerts.forEach((instrument, holder) -> holder.set(counts.getOrDefault(instrument, 0)));
    }

    /** The busiest clinics of the last 7 days, and each one's visits in them: the rows every clinic gauge reads. */
    private static final String RECENT = """
            WITH recent AS (
                SELECT clinic_id, face_to_face_share, wait_seconds
                FROM visit_fact
                WHERE started_at >= now() - interval '7 days' AND started_at < now() + interval '1 day'
            ), busiest AS (
                -- Ties by id byte by byte, as when visit_fact was a table of "C" keys (V15 made it a view).
                SELECT clinic_id FROM recent GROUP BY clinic_id ORDER BY count(*) DESC, clinic_id COLLATE "C" LIMIT ?
            )""";

    /**
     * The busiest clinics of the last 7 days, at most rapport.metrics.max-clinics of them: the one
     * place a label holds an id, bounded so a platform with thousands of clinics cannot flood
     * Prometheus. The figures follow the trend definitions (visit_fact: face-to-face share over
     * live visits only).
     */
    private void refreshClinics(Connection c) throws SQLException {
        String visits = RECENT + """
                SELECT r.clinic_id, avg(r.face_to_face_share) AS f2f,
                       percentile_cont(0.9) WITHIN GROUP (ORDER BY r.wait_seconds) AS wait_p90
                FROM recent r JOIN busiest b USING (clinic_id)
                GROUP BY r.clinic_id
                """;
        List<MultiGauge.Row<?>> f2f = new ArrayList<>();
        List<MultiGauge.Row<?>> wait = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(visits)) {
            ps.setInt(1, config.metrics().maxClinics());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Tags clinic = Tags.of("clinic", rs.getString(1));
                    addRow(f2f, clinic, rs.getDouble(2), rs.wasNull());
                    addRow(wait, clinic, rs.getDouble(3), rs.wasNull());
                }
            }
        }
        // Built-ins with their configured cutoffs; a clinic's own instruments with a configured
        // cutoff or else their definition's (as InstrumentRegistry.cutoff has it), under the one
        // label "custom" (their codes are free text).
        String ratings = RECENT + """
                , cutoffs AS (
                    SELECT b.clinic_id, c.code, c.cutoff, c.code AS label
                    FROM busiest b CROSS JOIN unnest(CAST(? AS text[]), CAST(? AS float8[])) AS c(code, cutoff)
                    UNION ALL
                    SELECT i.clinic_id, i.code, COALESCE(o.cutoff, (i.definition ->> 'defaultCutoff')::float8),
                           'custom'
                    FROM instrument i JOIN busiest b USING (clinic_id)
                    LEFT JOIN unnest(CAST(? AS text[]), CAST(? AS float8[])) AS o(code, cutoff) ON o.code = translate(i.code, '-', '_')
                )
                SELECT r.clinic_id, k.label,
                       avg(CASE WHEN r.total < k.cutoff THEN 1.0 ELSE 0.0 END)::float8 AS below
                FROM rating_fact r
                JOIN cutoffs k ON k.clinic_id = r.clinic_id AND k.code = r.instrument
                WHERE r.started_at >= now() - interval '7 days' AND r.started_at < now() + interval '1 day'
                  AND r.total IS NOT NULL AND k.cutoff IS NOT NULL
                GROUP BY r.clinic_id, k.label
                """;
        Map<String, Double> builtIn = instruments.builtInCutoffs();
        List<MultiGauge.Row<?>> below = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(ratings)) {
            ps.setInt(1, config.metrics().maxClinics());
            ps.setArray(2, c.createArrayOf("text", builtIn.keySet().toArray()));
            ps.setArray(3, c.createArrayOf("float8", builtIn.values().toArray()));
            Map<String, Double> configured = instruments.configuredCutoffs();
            ps.setArray(4, c.createArrayOf("text", configured.keySet().toArray()));
            ps.setArray(5, c.createArrayOf("float8", configured.values().toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Tags tags = Tags.of("clinic", rs.getString(1), "instrument", rs.getString(2));
                    addRow(below, tags, rs.getDouble(3), rs.wasNull());
                }
            }
        }
        clinicFaceToFaceShare.register(f2f, true);
        clinicWaitP90.register(wait, true);
        clinicBelowCutoff.register(below, true);
    }

    private static void addRow(List<MultiGauge.Row<?>> rows, Tags tags, double value, boolean isNull) {
        if (!isNull) {
            rows.add(MultiGauge.Row.of(tags, value));
        }
    }
}

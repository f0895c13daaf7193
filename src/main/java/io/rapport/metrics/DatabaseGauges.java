package io.rapport.metrics;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.scheduler.Scheduled;
import io.rapport.config.RapportConfig;
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
import org.jboss.logging.Logger;

/**
 * Gauges read from the database on a schedule, never per scrape: a scrape must stay cheap however
 * many Prometheus servers ask, and a slow database must not make /q/metrics time out.
 */
@ApplicationScoped
public class DatabaseGauges {

    private static final Logger LOG = Logger.getLogger(DatabaseGauges.class);

    private final AgroalDataSource dataSource;
    private final RapportConfig config;
    private final InstrumentLabels instruments;
    private final AtomicInteger databaseReady = new AtomicInteger(0);
    private final Map<String, AtomicInteger> openAlerts = new ConcurrentHashMap<>();
    private final MultiGauge clinicFaceToFaceShare;
    private final MultiGauge clinicWaitP90;
    private final MultiGauge clinicSrsBelowCutoff;

    DatabaseGauges(
            AgroalDataSource dataSource, RapportConfig config, InstrumentLabels instruments, MeterRegistry registry) {
        this.dataSource = dataSource;
        this.config = config;
        this.instruments = instruments;
        Gauge.builder("rapport.database.ready", databaseReady, AtomicInteger::get)
                .description("1 when the last database check (every 15 s) succeeded")
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
        clinicSrsBelowCutoff = MultiGauge.builder("rapport.clinic.srs.below.cutoff.share.7d")
                .description("Share of SRS ratings below the cutoff over the last 7 days, per clinic")
                .register(registry);
    }

    @Scheduled(every = "15s", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void checkDatabase() {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT 1");
                ResultSet rs = ps.executeQuery()) {
            databaseReady.set(rs.next() ? 1 : 0);
        } catch (SQLException e) {
            databaseReady.set(0);
            LOG.warnf("Database check failed: %s", e.getSQLState());
        }
    }

    @Scheduled(
            every = "${rapport.metrics.refresh-interval:60s}",
            delayed = "2s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public void refresh() {
        try (Connection c = dataSource.getConnection()) {
            refreshOpenAlerts(c);
        } catch (SQLException e) {
            LOG.warnf("Refreshing database gauges failed: %s", e.getSQLState());
        }
        if (config.metrics().clinicLabels()) {
            refreshClinicGauges();
        }
    }

    /** The per-clinic 7-day gauges; {@link #refresh()} calls this when clinic labels are on. */
    public void refreshClinicGauges() {
        try (Connection c = dataSource.getConnection()) {
            refreshClinics(c);
        } catch (SQLException e) {
            LOG.warnf("Refreshing clinic gauges failed: %s", e.getSQLState());
        }
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

    /**
     * The busiest clinics of the last 7 days, at most rapport.metrics.max-clinics of them: the one
     * place a label holds an id, bounded so a platform with thousands of clinics cannot flood
     * Prometheus.
     */
    private void refreshClinics(Connection c) throws SQLException {
        String sql = """
                WITH recent AS (
                    SELECT clinic_id, visit_id, face_to_face_seconds, documentation_seconds, started_at, scheduled_start
                    FROM visit WHERE started_at >= now() - interval '7 days' AND started_at < now() + interval '1 day'
                ), busiest AS (
                    SELECT clinic_id FROM recent GROUP BY clinic_id ORDER BY count(*) DESC, clinic_id LIMIT ?
                )
                SELECT b.clinic_id,
                    (SELECT avg(r.face_to_face_seconds::float8 / NULLIF(r.face_to_face_seconds + r.documentation_seconds, 0))
                       FROM recent r WHERE r.clinic_id = b.clinic_id) AS f2f,
                    (SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY GREATEST(0, extract(epoch FROM r.started_at - r.scheduled_start)))
                       FROM recent r WHERE r.clinic_id = b.clinic_id AND r.scheduled_start IS NOT NULL) AS wait_p90,
                    (SELECT avg(CASE WHEN g.total < ? THEN 1.0 ELSE 0.0 END)
                       FROM rating g JOIN recent r ON r.clinic_id = g.clinic_id AND r.visit_id = g.visit_id
                       WHERE g.clinic_id = b.clinic_id AND g.instrument = 'SRS' AND g.complete) AS srs_below
                FROM busiest b
                """;
        List<MultiGauge.Row<?>> f2f = new ArrayList<>();
        List<MultiGauge.Row<?>> wait = new ArrayList<>();
        List<MultiGauge.Row<?>> srs = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, config.metrics().maxClinics());
            ps.setDouble(2, srsCutoff());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Tags clinic = Tags.of("clinic", rs.getString(1));
                    addRow(f2f, clinic, rs.getDouble(2), rs.wasNull());
                    addRow(wait, clinic, rs.getDouble(3), rs.wasNull());
                    addRow(srs, clinic, rs.getDouble(4), rs.wasNull());
                }
            }
        }
        clinicFaceToFaceShare.register(f2f, true);
        clinicWaitP90.register(wait, true);
        clinicSrsBelowCutoff.register(srs, true);
    }

    private double srsCutoff() {
        return instruments.srsCutoff();
    }

    private static void addRow(List<MultiGauge.Row<?>> rows, Tags tags, double value, boolean isNull) {
        if (!isNull) {
            rows.add(MultiGauge.Row.of(tags, value));
        }
    }
}

package io.rapport.rating;

import io.agroal.api.AgroalDataSource;
import io.rapport.db.Jdbc;
import io.rapport.metrics.IngestMetrics;
import io.rapport.visit.Visit;
import io.rapport.visit.VisitsChanged;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Keeps alliance alerts in step with ratings and visits, inside the transaction that changed them.
 *
 * <p>An alert needs the visit (provider, patient, start) as well as the rating, so it is evaluated
 * whenever either changes. The drop rule compares a rating with the same patient's previous rating
 * on the same instrument with the same provider, ordered by visit start; when a rating changes, the
 * next one in that sequence is evaluated again too, since its "previous" may have changed.
 */
@ApplicationScoped
class AlertEvaluator {

    /** Room for floating-point sums: 37.3 - 36.3 is 0.99999999999999 as a double. */
    private static final double EPSILON = 1e-9;

    static final String BELOW_CUTOFF = "BELOW_CUTOFF";
    static final String DROP_FROM_PREVIOUS = "DROP_FROM_PREVIOUS";

    private final AgroalDataSource dataSource;
    private final InstrumentRegistry registry;
    private final Event<AlertRaised> raised;

    AlertEvaluator(AgroalDataSource dataSource, InstrumentRegistry registry, Event<AlertRaised> raised) {
        this.dataSource = dataSource;
        this.registry = registry;
        this.raised = raised;
    }

    /** A visit arrived or was corrected: its ratings may now be able to raise (or clear) alerts. */
    void onVisitsChanged(@Observes VisitsChanged event) {
        try (Connection c = dataSource.getConnection()) {
            List<Visit.Key> all = new ArrayList<>(event.created());
            all.addAll(event.corrected());
            lockClinics(c, all.stream().map(Visit.Key::clinicId).toList());
            for (Visit.Key key : event.created()) {
                for (String instrument : ratedInstruments(c, key)) {
                    evaluate(c, key.clinicId(), key.visitId(), instrument, true);
                }
            }
            // A corrected provider or start moves the visit within its patient's sequence: the
            // rating that used to follow it may have lost its "previous". Re-evaluate them all.
            for (Visit.Key key : event.corrected()) {
                for (RatingKey rating : patientRatings(c, key)) {
                    evaluate(c, rating.clinicId(), rating.visitId(), rating.instrument(), false);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Evaluating alerts failed: " + e.getSQLState(), e);
        }
    }

    private static List<String> ratedInstruments(Connection c, Visit.Key key) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps =
                c.prepareStatement("SELECT instrument FROM rating WHERE clinic_id = ? AND visit_id = ?")) {
            ps.setString(1, key.clinicId());
            ps.setString(2, key.visitId());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /** Every rating on the visits of this visit's patient, in visit order. */
    private static List<RatingKey> patientRatings(Connection c, Visit.Key key) throws SQLException {
        String sql = """
                SELECT r.visit_id, r.instrument
                FROM visit me
                JOIN visit v ON v.clinic_id = me.clinic_id AND v.patient_pseudonym = me.patient_pseudonym
                JOIN rating r ON r.clinic_id = v.clinic_id AND r.visit_id = v.visit_id
                WHERE me.clinic_id = ? AND me.visit_id = ?
                ORDER BY v.started_at, v.visit_id, r.instrument
                """;
        List<RatingKey> out = new ArrayList<>();
        try (PreparedStatement ps = Jdbc.planEachTime(c.prepareStatement(sql))) {
            ps.setString(1, key.clinicId());
            ps.setString(2, key.visitId());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new RatingKey(key.clinicId(), rs.getString(1), rs.getString(2)));
                }
            }
        }
        return out;
    }

    /** A rating's key: clinic, visit, instrument. */
    record RatingKey(String clinicId, String visitId, String instrument) {}

    /** Ratings were stored or corrected. */
    void onRatingsChanged(List<RatingKey> keys) {
        try (Connection c = dataSource.getConnection()) {
            lockClinics(c, keys.stream().map(RatingKey::clinicId).toList());
            for (RatingKey k : keys) {
                evaluate(c, k.clinicId(), k.visitId(), k.instrument(), true);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Evaluating alerts failed: " + e.getSQLState(), e);
        }
    }

    /**
     * Serialises alert evaluation per clinic until commit. A rating and its visit posted at the
     * same moment would otherwise each miss the other's uncommitted row and raise nothing; taken
     * after the writes, the lock makes whichever transaction comes second see the first's rows.
     * Clinics are locked in sorted order so two transactions cannot wait on each other.
     */
    private static void lockClinics(Connection c, List<String> clinicIds) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
            for (String clinicId : new java.util.TreeSet<>(clinicIds)) {
                ps.setString(1, clinicId);
                ps.execute();
            }
        }
    }

    private record Subject(boolean complete, Double total, String providerId, String patient, Instant startedAt) {}

    private void evaluate(Connection c, String clinicId, String visitId, String instrument, boolean alsoNext)
            throws SQLException {
        Optional<Subject> subject = subject(c, clinicId, visitId, instrument);
        if (subject.isEmpty()) {
            return; // no visit yet: evaluated when it arrives
        }
        Optional<InstrumentDefinition> def = registry.find(clinicId, instrument);
        if (def.isEmpty()) {
            return;
        }
        Subject s = subject.get();
        Double cutoff = registry.cutoff(def.get());
        boolean below = s.complete() && cutoff != null && s.total() < cutoff - EPSILON;
        set(c, clinicId, visitId, instrument, BELOW_CUTOFF, below, s, null, cutoff);

        if (def.get().dropAlert()) {
            Double previous = previousTotal(c, clinicId, instrument, s, visitId);
            boolean dropped = s.complete()
                    && previous != null
                    && previous - s.total() >= def.get().dropThreshold() - EPSILON;
            set(c, clinicId, visitId, instrument, DROP_FROM_PREVIOUS, dropped, s, previous, null);
            if (alsoNext) {
                Optional<String> next = nextVisit(c, clinicId, instrument, s, visitId);
                if (next.isPresent()) {
                    evaluate(c, clinicId, next.get(), instrument, false);
                }
            }
        }
    }

    private static Optional<Subject> subject(Connection c, String clinicId, String visitId, String instrument)
            throws SQLException {
        String sql = """
                SELECT r.complete, r.total, v.provider_id, v.patient_pseudonym, v.started_at
                FROM rating r JOIN visit v ON v.clinic_id = r.clinic_id AND v.visit_id = r.visit_id
                WHERE r.clinic_id = ? AND r.visit_id = ? AND r.instrument = ?
                """;
        try (PreparedStatement ps = Jdbc.planEachTime(c.prepareStatement(sql))) {
            ps.setString(1, clinicId);
            ps.setString(2, visitId);
            ps.setString(3, instrument);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Subject(
                        rs.getBoolean("complete"),
                        Jdbc.nullableDouble(rs, "total"),
                        rs.getString("provider_id"),
                        rs.getString("patient_pseudonym"),
                        Jdbc.instant(rs, "started_at")));
            }
        }
    }

    private static Double previousTotal(Connection c, String clinicId, String instrument, Subject s, String visitId)
            throws SQLException {
        String sql = """
                SELECT r.total
                FROM rating r JOIN visit v ON v.clinic_id = r.clinic_id AND v.visit_id = r.visit_id
                WHERE r.clinic_id = ? AND r.instrument = ? AND r.complete
                  AND v.patient_pseudonym = ? AND v.provider_id = ?
                  AND (v.started_at, v.visit_id) < (?, ?)
                ORDER BY v.started_at DESC, v.visit_id DESC
                LIMIT 1
                """;
        try (PreparedStatement ps = sequence(c, sql, clinicId, instrument, s, visitId);
                ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getDouble(1) : null;
        }
    }

    private static Optional<String> nextVisit(
            Connection c, String clinicId, String instrument, Subject s, String visitId) throws SQLException {
        String sql = """
                SELECT r.visit_id
                FROM rating r JOIN visit v ON v.clinic_id = r.clinic_id AND v.visit_id = r.visit_id
                WHERE r.clinic_id = ? AND r.instrument = ?
                  AND v.patient_pseudonym = ? AND v.provider_id = ?
                  AND (v.started_at, v.visit_id) > (?, ?)
                ORDER BY v.started_at, v.visit_id
                LIMIT 1
                """;
        try (PreparedStatement ps = sequence(c, sql, clinicId, instrument, s, visitId);
                ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        }
    }

    private static PreparedStatement sequence(
            Connection c, String sql, String clinicId, String instrument, Subject s, String visitId)
            throws SQLException {
        PreparedStatement ps = Jdbc.planEachTime(c.prepareStatement(sql));
        ps.setString(1, clinicId);
        ps.setString(2, instrument);
        ps.setString(3, s.patient());
        ps.setString(4, s.providerId());
        Jdbc.setInstant(ps, 5, s.startedAt());
        ps.setString(6, visitId);
        return ps;
    }

    /** Opens, reopens, refreshes or resolves the one alert for this rating and reason. */
    private void set(
            Connection c,
            String clinicId,
            String visitId,
            String instrument,
            String reason,
            boolean open,
            Subject s,
            Double previous,
            Double cutoff)
            throws SQLException {
        String status = null;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT status FROM alert WHERE clinic_id = ? AND visit_id = ? AND instrument = ? AND reason = ? FOR UPDATE")) {
            ps.setString(1, clinicId);
            ps.setString(2, visitId);
            ps.setString(3, instrument);
            ps.setString(4, reason);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    status = rs.getString(1);
                }
            }
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        if (!open) {
            if (status != null && !"RESOLVED".equals(status)) {
                update(
                        c,
                        "UPDATE alert SET status = 'RESOLVED', resolved_at = ? "
                                + "WHERE clinic_id = ? AND visit_id = ? AND instrument = ? AND reason = ?",
                        now,
                        clinicId,
                        visitId,
                        instrument,
                        reason);
            }
            return;
        }
        if (status == null) {
            String insert = """
                    INSERT INTO alert (clinic_id, visit_id, instrument, reason, provider_id, total,
                        previous_total, cutoff, status, raised_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'OPEN', ?)
                    ON CONFLICT (clinic_id, visit_id, instrument, reason) DO NOTHING
                    """;
            try (PreparedStatement ps = c.prepareStatement(insert)) {
                ps.setString(1, clinicId);
                ps.setString(2, visitId);
                ps.setString(3, instrument);
                ps.setString(4, reason);
                ps.setString(5, s.providerId());
                ps.setDouble(6, s.total());
                Jdbc.setDouble(ps, 7, previous);
                Jdbc.setDouble(ps, 8, cutoff);
                Jdbc.setInstant(ps, 9, now);
                if (ps.executeUpdate() == 1) {
                    raised.fire(new AlertRaised(IngestMetrics.instrumentLabel(instrument), reason));
                }
            }
            return;
        }
        String where = " WHERE clinic_id = ? AND visit_id = ? AND instrument = ? AND reason = ?";
        if ("RESOLVED".equals(status)) {
            update(
                    c,
                    "UPDATE alert SET status = 'OPEN', raised_at = ?, resolved_at = NULL, acknowledged_at = NULL, "
                            + "note = NULL, provider_id = ?, total = ?, previous_total = ?, cutoff = ?" + where,
                    now,
                    s.providerId(),
                    s.total(),
                    previous,
                    cutoff,
                    clinicId,
                    visitId,
                    instrument,
                    reason);
            raised.fire(new AlertRaised(IngestMetrics.instrumentLabel(instrument), reason));
        } else {
            // Still at risk after a correction: keep the alert (and any acknowledgement), refresh its figures.
            update(
                    c,
                    "UPDATE alert SET provider_id = ?, total = ?, previous_total = ?, cutoff = ?" + where,
                    s.providerId(),
                    s.total(),
                    previous,
                    cutoff,
                    clinicId,
                    visitId,
                    instrument,
                    reason);
        }
    }

    private static void update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                Object p = params[i];
                if (p instanceof Instant t) {
                    Jdbc.setInstant(ps, i + 1, t);
                } else if (p == null) {
                    ps.setNull(i + 1, java.sql.Types.DOUBLE);
                } else {
                    ps.setObject(i + 1, p);
                }
            }
            ps.executeUpdate();
        }
    }
}

package io.rapport.alert;

import static io.rapport.db.Jdbc.booleans;
import static io.rapport.db.Jdbc.doubles;
import static io.rapport.db.Jdbc.texts;

import io.agroal.api.AgroalDataSource;
import io.rapport.db.Jdbc;
import io.rapport.instrument.BuiltInInstruments;
import io.rapport.instrument.InstrumentRegistry;
import io.rapport.instrument.InstrumentReplaced;
import io.rapport.metrics.AlertRaised;
import io.rapport.security.PatientsRekeyed;
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
import java.util.Map;

/**
 * Keeps alliance alerts in step with ratings and visits, inside the transaction that changed them,
 * in one set-based statement per batch. This is where the two rules live:
 *
 * <ul>
 *   <li>{@code BELOW_CUTOFF}: a complete rating's total is below its instrument's cutoff
 *       ({@link InstrumentRegistry#cutoff}, e.g. SRS 36).
 *   <li>{@code DROP_FROM_PREVIOUS}: for instruments with a drop rule (SRS), the total fell by at
 *       least the threshold since the same patient's previous complete rating on the same
 *       instrument with the same provider, ordered by visit start ({@code LAG} over the sequence).
 * </ul>
 *
 * <p>An alert needs the visit (provider, patient, start) as well as the rating, so whenever either
 * changes, every (patient, provider) sequence it belongs to is recomputed whole: the ratings after
 * a changed one may have a new "previous". A visit corrected to another patient or provider is
 * recomputed in the sequence it left as well as in the one it joined, and so is a visit re-keying
 * moved to a returning patient's pseudonym under the active key (which V9's comment, older than
 * that, says nothing re-evaluates).
 */
@ApplicationScoped
public class AlertEvaluator {

    static final String BELOW_CUTOFF = "BELOW_CUTOFF";
    static final String DROP_FROM_PREVIOUS = "DROP_FROM_PREVIOUS";

    /** Every reason an alert is raised for, as its rows and its metric's label say. */
    public static final List<String> REASONS = List.of(BELOW_CUTOFF, DROP_FROM_PREVIOUS);

    /** A visit whose sequence must be recomputed. */
    public record VisitRef(String clinicId, String visitId) {}

    /**
     * Serialises alert evaluation per (clinic, provider) until commit, after the writes: a rating
     * and its visit, or two visits of one patient, posted at the same moment would otherwise each
     * miss the other's uncommitted row and raise nothing. Whichever comes second waits for the
     * first to commit and then sees its rows. V8 ({@code alert_evaluation_lock}) says how a rating
     * whose visit is not committed yet finds the provider to lock, and why the order of the locks
     * cannot deadlock; V9 why the call also refreshes the visits' rating_fact rows between the two
     * kinds of lock. Held only for the evaluation and the commit that follows it. It answers false,
     * after the visit locks and without the provider ones, when none of the visits is rated and no
     * visit left or joined a sequence: then there is nothing to evaluate (V14 says why that holds
     * until commit).
     */
    private static final String LOCK_SEQUENCES = "SELECT alert_evaluation_lock_rated(?::text[], ?::text[])";

    /**
     * Recomputes every alert of the touched sequences and writes the difference: opens the missing
     * ones, reopens resolved ones and acknowledged ones that got worse or moved to another provider,
     * refreshes the figures of the others (an acknowledgement stays), resolves those no longer at
     * risk. Returns how many were opened, by instrument and reason.
     * {@code 1e-9} leaves room for floating-point sums: 37.3 - 36.3 is 0.99999999999999 as a double
     * (InstrumentDefinition.TOTALS_EQUAL_WITHIN, which a drop threshold must exceed).
     */
    private static final String EVALUATE = """
            WITH touched AS (
                -- Only a rated visit takes part in a sequence: a visit without ratings changes no alert.
                -- Key lookups (LATERAL ... LIMIT 1), never a hash of the whole visit or rating table,
                -- which the planner chose for a join or an EXISTS when statistics lagged a backfill.
                SELECT v.clinic_id, v.patient_pseudonym, v.provider_id
                FROM unnest(?::text[], ?::text[]) AS k(clinic_id, visit_id)
                CROSS JOIN LATERAL (
                    SELECT * FROM visit v WHERE v.clinic_id = k.clinic_id AND v.visit_id = k.visit_id LIMIT 1) AS v
                CROSS JOIN LATERAL (
                    SELECT 1 FROM rating r WHERE r.clinic_id = v.clinic_id AND r.visit_id = v.visit_id LIMIT 1) AS rated
                UNION
                -- The sequences visits corrected in this transaction moved out of (V9's trigger), and
                -- those re-keyed visits joined (PatientRekeying).
                SELECT * FROM visit_moved_sequences()
            ), rules AS (
                -- Built-ins (their configured cutoffs applied in Java), then the clinics' own instruments,
                -- where a configured cutoff wins over the definition's, as InstrumentRegistry.cutoff says.
                SELECT NULL::text AS clinic_id, b.*
                FROM unnest(?::text[], ?::float8[], ?::bool[], ?::float8[]) AS b(code, cutoff, drop_alert, drop_threshold)
                UNION ALL
                SELECT i.clinic_id, i.code,
                       COALESCE(o.cutoff, (i.definition ->> 'defaultCutoff')::float8),
                       COALESCE((i.definition ->> 'dropAlert')::boolean, false),
                       COALESCE((i.definition ->> 'dropThreshold')::float8, 0)
                FROM instrument i
                -- Configured codes come folded (InstrumentLabels.configuredCutoffs).
                LEFT JOIN unnest(?::text[], ?::float8[]) AS o(code, cutoff) ON o.code = translate(i.code, '-', '_')
                WHERE i.clinic_id IN (SELECT clinic_id FROM touched)
            ), scope AS (
                SELECT r.clinic_id, r.visit_id, r.instrument, r.complete, r.total, v.provider_id,
                       v.patient_pseudonym, v.started_at
                FROM touched t
                -- Per-row lookups too: OFFSET 0 keeps each subquery apart, so the planner cannot turn
                -- it into a join and hash the whole visit or rating table (a reviewer saw it hash all
                -- 100,000 visits for a 1,000-rating batch once touched was estimated right).
                CROSS JOIN LATERAL (
                    SELECT v.visit_id, v.provider_id, v.patient_pseudonym, v.started_at FROM visit v
                    WHERE v.clinic_id = t.clinic_id AND v.patient_pseudonym = t.patient_pseudonym
                      AND v.provider_id = t.provider_id
                    OFFSET 0) AS v
                CROSS JOIN LATERAL (
                    SELECT * FROM rating r WHERE r.clinic_id = t.clinic_id AND r.visit_id = v.visit_id OFFSET 0) AS r
            ), ranked AS (
                SELECT s.clinic_id, s.visit_id, s.instrument, s.total, s.provider_id,
                       lag(s.total) OVER (PARTITION BY s.clinic_id, s.patient_pseudonym, s.provider_id, s.instrument
                                          -- Byte order, as the README says: the database's
                                          -- own collation may put "a" before "B".
                                          ORDER BY s.started_at, s.visit_id COLLATE "C") AS previous_total
                FROM scope s WHERE s.complete
            ), judged AS (
                SELECT k.*, ru.cutoff, ru.drop_alert, ru.drop_threshold
                FROM ranked k
                JOIN rules ru ON ru.code = k.instrument AND (ru.clinic_id IS NULL OR ru.clinic_id = k.clinic_id)
            ), wanted AS (
                SELECT clinic_id, visit_id, instrument, 'BELOW_CUTOFF' AS reason, provider_id, total,
                       NULL::float8 AS previous_total, cutoff
                FROM judged WHERE cutoff IS NOT NULL AND total < cutoff - 1e-9
                UNION ALL
                SELECT clinic_id, visit_id, instrument, 'DROP_FROM_PREVIOUS', provider_id, total,
                       previous_total, NULL::float8
                FROM judged
                WHERE drop_alert AND previous_total IS NOT NULL AND previous_total - total >= drop_threshold - 1e-9
            ), existing AS (
                -- Ordered by reason, the order the unique key's index holds them in, so that index is
                -- the cheapest path rather than a tie the statistics decide: with a backfill's stale
                -- ones the planner took the (clinic, status) index and read every alert of the clinic
                -- for each rating.
                SELECT a.id, a.clinic_id, a.visit_id, a.instrument, a.reason, a.status
                FROM (SELECT DISTINCT clinic_id, visit_id, instrument FROM scope) s
                CROSS JOIN LATERAL (
                    SELECT * FROM alert a
                    WHERE a.clinic_id = s.clinic_id AND a.visit_id = s.visit_id AND a.instrument = s.instrument
                    ORDER BY a.reason) AS a
            ), opened AS (
                INSERT INTO alert AS a (clinic_id, visit_id, instrument, reason, provider_id, total,
                    previous_total, cutoff, status, raised_at)
                SELECT clinic_id, visit_id, instrument, reason, provider_id, total, previous_total, cutoff,
                       'OPEN', ?::timestamptz
                FROM wanted ORDER BY clinic_id, visit_id, instrument, reason
                ON CONFLICT (clinic_id, visit_id, instrument, reason) DO UPDATE SET
                    -- Opened afresh, with nothing of an earlier acknowledgement: a resolved alert that
                    -- came back, or an acknowledged one that is no longer what was acknowledged, its
                    -- visit moved to another provider or its rating worse (a lower total, or a larger
                    -- drop). A correction that leaves it no worse keeps the acknowledgement.
                    (status, raised_at, resolved_at, acknowledged_at, acknowledged_by, note) = (
                        SELECT CASE WHEN f.fresh THEN 'OPEN' ELSE a.status END,
                               CASE WHEN f.fresh THEN EXCLUDED.raised_at ELSE a.raised_at END,
                               CASE WHEN f.fresh THEN NULL ELSE a.resolved_at END,
                               CASE WHEN f.fresh THEN NULL ELSE a.acknowledged_at END,
                               CASE WHEN f.fresh THEN NULL ELSE a.acknowledged_by END,
                               CASE WHEN f.fresh THEN NULL ELSE a.note END
                        FROM (SELECT a.status = 'RESOLVED'
                                  OR (a.status = 'ACKNOWLEDGED'
                                      AND (a.provider_id <> EXCLUDED.provider_id
                                           OR EXCLUDED.total < a.total - 1e-9
                                           OR COALESCE(EXCLUDED.previous_total - EXCLUDED.total
                                                       > a.previous_total - a.total + 1e-9, false))) AS fresh) f),
                    provider_id = EXCLUDED.provider_id,
                    total = EXCLUDED.total,
                    previous_total = EXCLUDED.previous_total,
                    cutoff = EXCLUDED.cutoff
                WHERE a.status = 'RESOLVED'
                   OR (a.provider_id, a.total, a.previous_total, a.cutoff)
                      IS DISTINCT FROM (EXCLUDED.provider_id, EXCLUDED.total, EXCLUDED.previous_total, EXCLUDED.cutoff)
                RETURNING a.clinic_id, a.visit_id, a.instrument, a.reason, a.status
            ), resolved AS (
                -- NOT IN over the batch's wanted alerts is one hashed lookup per alert while the keys
                -- fit in work_mem; as a join, the planner (told the batch holds a row or two) compared
                -- every alert with every wanted one, 0.24 s for a 1,000-rating batch whose alerts
                -- already stood. No key column is ever null.
                UPDATE alert a SET status = 'RESOLVED', resolved_at = ?::timestamptz
                FROM existing e
                WHERE a.clinic_id = e.clinic_id AND a.id = e.id AND e.status <> 'RESOLVED'
                  AND (e.clinic_id, e.visit_id, e.instrument, e.reason) NOT IN (
                      SELECT w.clinic_id, w.visit_id, w.instrument, w.reason FROM wanted w)
                RETURNING a.id
            )
            SELECT o.instrument, o.reason, count(*) AS raised
            FROM opened o
            -- Raised now: open, and not open before (new, or reopened); not an open one whose
            -- figures changed, nor an acknowledged one that stays so.
            WHERE o.status = 'OPEN' AND (o.clinic_id, o.visit_id, o.instrument, o.reason) NOT IN (
                SELECT e.clinic_id, e.visit_id, e.instrument, e.reason FROM existing e WHERE e.status = 'OPEN')
            GROUP BY o.instrument, o.reason
            """;

    /** All of a clinic's evaluation locks, visits' then providers' (V18). */
    private static final String LOCK_CLINIC = "SELECT alert_evaluation_lock_clinic(?)";

    /** The visits rated on one instrument of one clinic. */
    private static final String RATED_VISITS =
            "SELECT visit_id FROM rating WHERE clinic_id = ? AND instrument = ? ORDER BY visit_id";

    /** About as many visits as an ingest batch evaluates, which takes tens of milliseconds. */
    private static final int REJUDGED_PER_STATEMENT = 1000;

    private final AgroalDataSource dataSource;
    private final InstrumentRegistry registry;
    private final Event<AlertRaised> raised;

    AlertEvaluator(AgroalDataSource dataSource, InstrumentRegistry registry, Event<AlertRaised> raised) {
        this.dataSource = dataSource;
        this.registry = registry;
        this.raised = raised;
    }

    /** Visits arrived or were corrected: their ratings may now raise (or clear) alerts. */
    void onVisitsChanged(@Observes VisitsChanged event) {
        List<VisitRef> visits = new ArrayList<>();
        for (Visit.Key k : event.created()) {
            visits.add(new VisitRef(k.clinicId(), k.visitId()));
        }
        for (Visit.Key k : event.corrected()) {
            visits.add(new VisitRef(k.clinicId(), k.visitId()));
        }
        evaluate(visits);
    }

    /**
     * A clinic's instrument has a new version: every stored rating of it is judged again by the new
     * cutoff and drop rule, with all of the clinic's evaluation locks held from the start (V18), so
     * the clinic's ingest waits for the registration to finish. In slices of visits, so that each
     * statement stays well inside the write timeout however many ratings the clinic has.
     */
    void onInstrumentReplaced(@Observes InstrumentReplaced event) {
        List<VisitRef> rated = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            // Every lock of the clinic first, then the read: V18 says why.
            try (PreparedStatement lock = c.prepareStatement(LOCK_CLINIC)) {
                lock.setString(1, event.clinicId());
                lock.execute();
            }
            try (PreparedStatement ps = c.prepareStatement(RATED_VISITS)) {
                ps.setString(1, event.clinicId());
                ps.setString(2, event.code());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rated.add(new VisitRef(event.clinicId(), rs.getString(1)));
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Reading an instrument's ratings failed: " + e.getSQLState(), e);
        }
        for (int from = 0; from < rated.size(); from += REJUDGED_PER_STATEMENT) {
            evaluate(rated.subList(from, Math.min(rated.size(), from + REJUDGED_PER_STATEMENT)));
        }
    }

    /**
     * Re-keying moved a returning patient's earlier visits to the active key in a request whose
     * events changed nothing (a retry): the sequences they joined and left are among the
     * transaction's moved ones, which an evaluation of no visits recomputes.
     */
    void onPatientsRekeyed(@Observes PatientsRekeyed event) {
        evaluate(List.of());
    }

    /**
     * Recomputes the alerts of the sequences these visits are in now, and of the sequences visits
     * corrected in this transaction moved out of or re-keyed visits joined, in the caller's
     * transaction.
     */
    public void evaluate(List<VisitRef> visits) {
        List<InstrumentRegistry.AlertRule> rules = registry.builtInAlertRules();
        Map<String, Double> cutoffs = registry.configuredCutoffs();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Touched touched = Touched.of(visits);
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement lock = c.prepareStatement(LOCK_SEQUENCES)) {
                lock.setArray(1, texts(c, touched.visitClinics()));
                lock.setArray(2, texts(c, touched.visitIds()));
                try (ResultSet rs = lock.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        return;
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(EVALUATE)) {
                bind(c, ps, touched, rules, cutoffs, now);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        raised.fire(new AlertRaised(
                                BuiltInInstruments.label(rs.getString("instrument")),
                                rs.getString("reason"),
                                rs.getInt("raised")));
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Evaluating alerts failed: " + e.getSQLState(), e);
        }
    }

    /** The visits as the columns both statements bind, built once. */
    private record Touched(String[] visitClinics, String[] visitIds) {

        static Touched of(List<VisitRef> visits) {
            return new Touched(
                    visits.stream().map(VisitRef::clinicId).toArray(String[]::new),
                    visits.stream().map(VisitRef::visitId).toArray(String[]::new));
        }
    }

    private static void bind(
            Connection c,
            PreparedStatement ps,
            Touched touched,
            List<InstrumentRegistry.AlertRule> rules,
            Map<String, Double> cutoffs,
            Instant now)
            throws SQLException {
        int i = 1;
        ps.setArray(i++, texts(c, touched.visitClinics()));
        ps.setArray(i++, texts(c, touched.visitIds()));
        ps.setArray(
                i++,
                texts(c, rules.stream().map(InstrumentRegistry.AlertRule::code).toArray(String[]::new)));
        ps.setArray(
                i++,
                doubles(
                        c,
                        rules.stream().map(InstrumentRegistry.AlertRule::cutoff).toArray(Double[]::new)));
        ps.setArray(
                i++,
                booleans(
                        c,
                        rules.stream()
                                .map(InstrumentRegistry.AlertRule::dropAlert)
                                .toArray(Boolean[]::new)));
        ps.setArray(
                i++,
                doubles(
                        c,
                        rules.stream()
                                .map(InstrumentRegistry.AlertRule::dropThreshold)
                                .toArray(Double[]::new)));
        ps.setArray(i++, texts(c, cutoffs.keySet().toArray(new String[0])));
        ps.setArray(i++, doubles(c, cutoffs.values().toArray(new Double[0])));
        ps.setString(i++, Jdbc.text(now));
        ps.setString(i, Jdbc.text(now));
    }
}

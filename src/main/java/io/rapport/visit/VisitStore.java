package io.rapport.visit;

import static io.rapport.db.Jdbc.setDouble;
import static io.rapport.db.Jdbc.setInstant;
import static io.rapport.db.Jdbc.setInt;

import io.agroal.api.AgroalDataSource;
import io.rapport.db.Jdbc;
import io.rapport.ingest.Outcome;
import io.rapport.ingest.Stored;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place visits are written. Each event is a single {@code INSERT ... ON CONFLICT DO UPDATE}
 * whose {@code WHERE} lets a correction through only when its content differs and its recordedAt
 * is not older than the stored one; PostgreSQL's row lock on the conflicting key makes concurrent
 * posts of the same visit serialise, so a visit can never be stored twice.
 */
@ApplicationScoped
class VisitStore {

    private static final String UPSERT = """
            INSERT INTO visit AS v (clinic_id, visit_id, provider_id, patient_pseudonym, modality,
                scheduled_start, started_at, ended_at, face_to_face_seconds, documentation_seconds,
                after_hours_documentation_seconds, response_latency_seconds, patient_talk_share,
                connection_drops, recorded_at, received_at, revision)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
            ON CONFLICT (clinic_id, visit_id) DO UPDATE SET
                provider_id = EXCLUDED.provider_id,
                patient_pseudonym = EXCLUDED.patient_pseudonym,
                modality = EXCLUDED.modality,
                scheduled_start = EXCLUDED.scheduled_start,
                started_at = EXCLUDED.started_at,
                ended_at = EXCLUDED.ended_at,
                face_to_face_seconds = EXCLUDED.face_to_face_seconds,
                documentation_seconds = EXCLUDED.documentation_seconds,
                after_hours_documentation_seconds = EXCLUDED.after_hours_documentation_seconds,
                response_latency_seconds = EXCLUDED.response_latency_seconds,
                patient_talk_share = EXCLUDED.patient_talk_share,
                connection_drops = EXCLUDED.connection_drops,
                recorded_at = EXCLUDED.recorded_at,
                received_at = EXCLUDED.received_at,
                revision = v.revision + 1
            WHERE v.recorded_at <= EXCLUDED.recorded_at
              AND (v.provider_id, v.patient_pseudonym, v.modality, v.scheduled_start, v.started_at,
                   v.ended_at, v.face_to_face_seconds, v.documentation_seconds,
                   v.after_hours_documentation_seconds, v.response_latency_seconds,
                   v.patient_talk_share, v.connection_drops)
                  IS DISTINCT FROM
                  (EXCLUDED.provider_id, EXCLUDED.patient_pseudonym, EXCLUDED.modality,
                   EXCLUDED.scheduled_start, EXCLUDED.started_at, EXCLUDED.ended_at,
                   EXCLUDED.face_to_face_seconds, EXCLUDED.documentation_seconds,
                   EXCLUDED.after_hours_documentation_seconds, EXCLUDED.response_latency_seconds,
                   EXCLUDED.patient_talk_share, EXCLUDED.connection_drops)
            RETURNING v.revision, (v.xmax = 0) AS inserted
            """;

    private static final String STORED_STATE =
            "SELECT recorded_at, revision FROM visit WHERE clinic_id = ? AND visit_id = ?";

    private final AgroalDataSource dataSource;
    private final Event<VisitsChanged> changed;

    VisitStore(AgroalDataSource dataSource, Event<VisitsChanged> changed) {
        this.dataSource = dataSource;
        this.changed = changed;
    }

    /** Stores all visits in one transaction: either every outcome holds, or none. */
    @Transactional
    List<Stored> upsert(List<NewVisit> visits, Instant receivedAt) {
        Stored[] out = new Stored[visits.size()];
        List<Visit.Key> created = new ArrayList<>();
        List<Visit.Key> corrected = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement upsert = c.prepareStatement(UPSERT);
                PreparedStatement state = Jdbc.planEachTime(c.prepareStatement(STORED_STATE))) {
            // In key order, so two batches sharing visits lock them in the same order: no deadlock.
            for (int index : Jdbc.order(visits, v -> v.clinicId() + '\u0000' + v.visitId())) {
                NewVisit v = visits.get(index);
                bind(upsert, v, receivedAt);
                try (ResultSet rs = upsert.executeQuery()) {
                    if (rs.next()) {
                        Outcome outcome = rs.getBoolean("inserted") ? Outcome.CREATED : Outcome.UPDATED;
                        out[index] = new Stored(outcome, rs.getInt(1));
                        (outcome == Outcome.CREATED ? created : corrected)
                                .add(new Visit.Key(v.clinicId(), v.visitId()));
                        continue;
                    }
                }
                // No row: the stored state stood. Tell a retry from a correction that came too late.
                state.setString(1, v.clinicId());
                state.setString(2, v.visitId());
                try (ResultSet rs = state.executeQuery()) {
                    rs.next();
                    Instant storedRecordedAt =
                            rs.getObject(1, OffsetDateTime.class).toInstant();
                    Outcome outcome = v.recordedAt().isBefore(storedRecordedAt) ? Outcome.STALE : Outcome.UNCHANGED;
                    out[index] = new Stored(outcome, rs.getInt(2));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Storing visits failed: " + e.getSQLState(), e);
        }
        if (!created.isEmpty() || !corrected.isEmpty()) {
            changed.fire(new VisitsChanged(created, corrected));
        }
        return List.of(out);
    }

    private static void bind(PreparedStatement ps, NewVisit v, Instant receivedAt) throws SQLException {
        int i = 1;
        ps.setString(i++, v.clinicId());
        ps.setString(i++, v.visitId());
        ps.setString(i++, v.providerId());
        ps.setString(i++, v.patientPseudonym());
        ps.setString(i++, v.modality().name());
        setInstant(ps, i++, v.scheduledStart());
        setInstant(ps, i++, v.startedAt());
        setInstant(ps, i++, v.endedAt());
        ps.setInt(i++, v.faceToFaceSeconds());
        ps.setInt(i++, v.documentationSeconds());
        setInt(ps, i++, v.afterHoursDocumentationSeconds());
        setDouble(ps, i++, v.responseLatencySeconds());
        setDouble(ps, i++, v.patientTalkShare());
        setInt(ps, i++, v.connectionDrops());
        setInstant(ps, i++, v.recordedAt());
        setInstant(ps, i, receivedAt);
    }
}

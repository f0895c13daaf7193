package io.rapport.rating;

import static io.rapport.db.Jdbc.instant;
import static io.rapport.db.Jdbc.nullableDouble;
import static io.rapport.db.Jdbc.setDouble;
import static io.rapport.db.Jdbc.setInstant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import io.rapport.db.Jdbc;
import io.rapport.ingest.Outcome;
import io.rapport.ingest.Stored;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one place ratings are written: the same idempotent upsert as visits, keyed on
 * (clinic, visit, instrument), followed by alert evaluation in the same transaction.
 */
@ApplicationScoped
class RatingStore {

    private static final String UPSERT = """
            INSERT INTO rating AS r (clinic_id, visit_id, instrument, items, complete, total, normalized,
                subscales, category, submitted_at, recorded_at, received_at, revision)
            VALUES (?, ?, ?, ?, ?, ?, ?, CAST(? AS jsonb), ?, ?, ?, ?, 1)
            ON CONFLICT (clinic_id, visit_id, instrument) DO UPDATE SET
                items = EXCLUDED.items,
                complete = EXCLUDED.complete,
                total = EXCLUDED.total,
                normalized = EXCLUDED.normalized,
                subscales = EXCLUDED.subscales,
                category = EXCLUDED.category,
                submitted_at = EXCLUDED.submitted_at,
                recorded_at = EXCLUDED.recorded_at,
                received_at = EXCLUDED.received_at,
                revision = r.revision + 1
            WHERE r.recorded_at <= EXCLUDED.recorded_at
              AND (r.items, r.submitted_at) IS DISTINCT FROM (EXCLUDED.items, EXCLUDED.submitted_at)
            RETURNING r.revision, (r.xmax = 0) AS inserted
            """;

    private static final String STORED_STATE =
            "SELECT recorded_at, revision FROM rating WHERE clinic_id = ? AND visit_id = ? AND instrument = ?";

    private final AgroalDataSource dataSource;
    private final ObjectMapper mapper;
    private final AlertEvaluator alerts;

    RatingStore(AgroalDataSource dataSource, ObjectMapper mapper, AlertEvaluator alerts) {
        this.dataSource = dataSource;
        this.mapper = mapper;
        this.alerts = alerts;
    }

    @Transactional
    List<Stored> upsert(List<NewRating> ratings, Instant receivedAt) {
        Stored[] out = new Stored[ratings.size()];
        List<AlertEvaluator.RatingKey> changed = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement upsert = c.prepareStatement(UPSERT);
                PreparedStatement state = Jdbc.planEachTime(c.prepareStatement(STORED_STATE))) {
            // In key order, so two batches sharing ratings lock them in the same order: no deadlock.
            for (int index :
                    Jdbc.order(ratings, r -> r.clinicId() + '\u0000' + r.visitId() + '\u0000' + r.instrument())) {
                NewRating r = ratings.get(index);
                bind(c, upsert, r, receivedAt);
                Stored stored = null;
                try (ResultSet rs = upsert.executeQuery()) {
                    if (rs.next()) {
                        stored =
                                new Stored(rs.getBoolean("inserted") ? Outcome.CREATED : Outcome.UPDATED, rs.getInt(1));
                    }
                }
                if (stored != null) {
                    changed.add(new AlertEvaluator.RatingKey(r.clinicId(), r.visitId(), r.instrument()));
                } else {
                    state.setString(1, r.clinicId());
                    state.setString(2, r.visitId());
                    state.setString(3, r.instrument());
                    try (ResultSet rs = state.executeQuery()) {
                        rs.next();
                        Outcome outcome =
                                r.recordedAt().isBefore(instant(rs, "recorded_at")) ? Outcome.STALE : Outcome.UNCHANGED;
                        stored = new Stored(outcome, rs.getInt("revision"));
                    }
                }
                out[index] = stored;
            }
            // After every rating is written, so the evaluation sees the whole batch.
            if (!changed.isEmpty()) {
                alerts.onRatingsChanged(changed);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Storing ratings failed: " + e.getSQLState(), e);
        }
        return List.of(out);
    }

    private void bind(Connection c, PreparedStatement ps, NewRating r, Instant receivedAt) throws SQLException {
        Score s = r.score();
        ps.setString(1, r.clinicId());
        ps.setString(2, r.visitId());
        ps.setString(3, r.instrument());
        Array items = c.createArrayOf("float8", r.items().toArray(new Double[0]));
        ps.setArray(4, items);
        ps.setBoolean(5, s.complete());
        setDouble(ps, 6, s.total());
        setDouble(ps, 7, s.normalized());
        ps.setString(8, json(s.subscales()));
        ps.setString(9, s.category());
        setInstant(ps, 10, r.submittedAt());
        setInstant(ps, 11, r.recordedAt());
        setInstant(ps, 12, receivedAt);
    }

    Optional<RatingView> find(String clinicId, String visitId, String instrument, List<AlertView> openAlerts) {
        String sql = """
                SELECT items, submitted_at, recorded_at, complete, total, subscales, category, revision, received_at
                FROM rating WHERE clinic_id = ? AND visit_id = ? AND instrument = ?
                """;
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, clinicId);
            ps.setString(2, visitId);
            ps.setString(3, instrument);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Double[] items = (Double[]) rs.getArray("items").getArray();
                Map<String, Double> subscales = mapper.readValue(
                        rs.getString("subscales"), new TypeReference<LinkedHashMap<String, Double>>() {});
                return Optional.of(new RatingView(
                        clinicId,
                        visitId,
                        instrument,
                        Arrays.asList(items),
                        instant(rs, "submitted_at"),
                        instant(rs, "recorded_at"),
                        rs.getBoolean("complete"),
                        nullableDouble(rs, "total"),
                        subscales,
                        rs.getString("category"),
                        rs.getInt("revision"),
                        instant(rs, "received_at"),
                        openAlerts));
            }
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException("Reading a rating failed", e);
        }
    }

    private String json(Map<String, Double> subscales) {
        try {
            return mapper.writeValueAsString(subscales == null ? Map.of() : subscales);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

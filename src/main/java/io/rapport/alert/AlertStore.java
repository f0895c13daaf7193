package io.rapport.alert;

import static io.rapport.db.Jdbc.instant;
import static io.rapport.db.Jdbc.nullableDouble;
import static io.rapport.db.Jdbc.setInstant;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reading alerts for managers, and their acknowledgement. Raising and resolving is {@link AlertEvaluator}'s. */
@ApplicationScoped
public class AlertStore {

    private static final String COLUMNS =
            "id, visit_id, provider_id, instrument, total, reason, previous_total, cutoff, raised_at, status, "
                    + "acknowledged_at, note, resolved_at";

    private final AgroalDataSource dataSource;

    AlertStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    AlertPage list(String clinicId, List<String> statuses, String providerId, int page, int size) {
        String filter =
                " WHERE clinic_id = ? AND status = ANY (?)" + (providerId == null ? "" : " AND provider_id = ?");
        try (Connection c = dataSource.getConnection()) {
            long total;
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM alert" + filter)) {
                bindFilter(c, ps, clinicId, statuses, providerId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    total = rs.getLong(1);
                }
            }
            String sql =
                    "SELECT " + COLUMNS + " FROM alert" + filter + " ORDER BY raised_at DESC, id DESC LIMIT ? OFFSET ?";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int next = bindFilter(c, ps, clinicId, statuses, providerId);
                ps.setInt(next, size);
                ps.setLong(next + 1, (long) page * size);
                return new AlertPage(page, size, total, read(ps));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Listing alerts failed", e);
        }
    }

    public List<AlertView> unresolvedFor(String clinicId, String visitId, String instrument) {
        String sql = "SELECT " + COLUMNS + " FROM alert WHERE clinic_id = ? AND visit_id = ? AND instrument = ? "
                + "AND status <> 'RESOLVED' ORDER BY id";
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, clinicId);
            ps.setString(2, visitId);
            ps.setString(3, instrument);
            return read(ps);
        } catch (SQLException e) {
            throw new IllegalStateException("Reading alerts failed", e);
        }
    }

    /** Marks an open alert acknowledged; an acknowledged or resolved one is left as it is. */
    @Transactional
    Optional<AlertView> acknowledge(String clinicId, long id, String note) {
        String sql = "UPDATE alert SET status = 'ACKNOWLEDGED', acknowledged_at = ?, note = ? "
                + "WHERE clinic_id = ? AND id = ? AND status = 'OPEN'";
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                setInstant(ps, 1, Instant.now().truncatedTo(ChronoUnit.MICROS));
                ps.setString(2, note);
                ps.setString(3, clinicId);
                ps.setLong(4, id);
                ps.executeUpdate();
            }
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT " + COLUMNS + " FROM alert WHERE clinic_id = ? AND id = ?")) {
                ps.setString(1, clinicId);
                ps.setLong(2, id);
                return read(ps).stream().findFirst();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Acknowledging an alert failed", e);
        }
    }

    private static int bindFilter(
            Connection c, PreparedStatement ps, String clinicId, List<String> statuses, String providerId)
            throws SQLException {
        ps.setString(1, clinicId);
        ps.setArray(2, c.createArrayOf("varchar", statuses.toArray(new String[0])));
        if (providerId != null) {
            ps.setString(3, providerId);
            return 4;
        }
        return 3;
    }

    private static List<AlertView> read(PreparedStatement ps) throws SQLException {
        List<AlertView> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new AlertView(
                        rs.getLong("id"),
                        rs.getString("visit_id"),
                        rs.getString("provider_id"),
                        rs.getString("instrument"),
                        rs.getDouble("total"),
                        rs.getString("reason"),
                        nullableDouble(rs, "previous_total"),
                        nullableDouble(rs, "cutoff"),
                        instant(rs, "raised_at"),
                        rs.getString("status"),
                        instant(rs, "acknowledged_at"),
                        rs.getString("note"),
                        instant(rs, "resolved_at")));
            }
        }
        return out;
    }
}

package io.rapport.audit;

import io.agroal.api.AgroalDataSource;
import io.rapport.db.ReadSnapshot;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reads the audit trail. Writing is {@link AuditTrail}'s alone, and nothing updates or deletes. */
@ApplicationScoped
class AuditStore {

    private final AgroalDataSource dataSource;
    private final ReadSnapshot snapshot;

    AuditStore(AgroalDataSource dataSource, ReadSnapshot snapshot) {
        this.dataSource = dataSource;
        this.snapshot = snapshot;
    }

    @Transactional
    AuditPage list(String clinicId, Instant from, Instant to, int page, int size) {
        String filter = " WHERE at >= ? AND at < ?"
                + (clinicId == null
                        ? ""
                        : " AND (clinics @> ARRAY[?]::text[]"
                                // V21's partial index: the condition it holds, stated so the planner uses it.
                                + " OR (refused_clinics <> '{}' AND refused_clinics @> ARRAY[?]::text[]))");
        // The count and the page in one snapshot: rows are appended all the time (this read's own
        // among them), and a page taken after the count could hold rows the total did not.
        try (Connection c = snapshot.connection(dataSource)) {
            return page(c, filter, clinicId, from, to, page, size);
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the audit trail failed", e);
        }
    }

    private static AuditPage page(
            Connection c, String filter, String clinicId, Instant from, Instant to, int page, int size)
            throws SQLException {
        long total;
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM audit_event" + filter)) {
            bind(ps, clinicId, from, to);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                total = rs.getLong(1);
            }
        }
        String sql = "SELECT at, request_id, subject, roles, clinics, method, route, status, records,"
                + " refused_clinics "
                + "FROM audit_event" + filter + " ORDER BY at DESC, id DESC LIMIT ? OFFSET ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int next = bind(ps, clinicId, from, to);
            ps.setInt(next, size);
            ps.setLong(next + 1, (long) page * size);
            List<AuditEntry> items = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    items.add(new AuditEntry(
                            rs.getObject(1, OffsetDateTime.class).toInstant(),
                            rs.getString(2),
                            rs.getString(3),
                            strings(rs.getArray(4)),
                            strings(rs.getArray(5)),
                            strings(rs.getArray(10)),
                            rs.getString(6),
                            rs.getString(7),
                            rs.getInt(8),
                            rs.getLong(9)));
                }
            }
            return new AuditPage(page, size, total, items);
        }
    }

    private static int bind(PreparedStatement ps, String clinicId, Instant from, Instant to) throws SQLException {
        ps.setObject(1, OffsetDateTime.ofInstant(from, ZoneOffset.UTC));
        ps.setObject(2, OffsetDateTime.ofInstant(to, ZoneOffset.UTC));
        if (clinicId == null) {
            return 3;
        }
        ps.setString(3, clinicId);
        ps.setString(4, clinicId);
        return 5;
    }

    private static List<String> strings(Array array) throws SQLException {
        return array == null ? List.of() : Arrays.asList((String[]) array.getArray());
    }
}

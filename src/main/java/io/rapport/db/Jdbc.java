package io.rapport.db;

import com.ethlo.time.ITU;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.postgresql.PGStatement;

/** JDBC helpers for nullable columns and timestamptz, shared by the stores that write plain SQL. */
public final class Jdbc {

    private Jdbc() {}

    public static void setInstant(PreparedStatement ps, int i, Instant value) throws SQLException {
        if (value == null) {
            ps.setNull(i, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setObject(i, value.atOffset(ZoneOffset.UTC));
        }
    }

    public static void setDouble(PreparedStatement ps, int i, Double value) throws SQLException {
        if (value == null) {
            ps.setNull(i, Types.DOUBLE);
        } else {
            ps.setDouble(i, value);
        }
    }

    public static void setInt(PreparedStatement ps, int i, Integer value) throws SQLException {
        if (value == null) {
            ps.setNull(i, Types.INTEGER);
        } else {
            ps.setInt(i, value);
        }
    }

    public static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    public static Double nullableDouble(ResultSet rs, int column) throws SQLException {
        double d = rs.getDouble(column);
        return rs.wasNull() ? null : d;
    }

    /**
     * Keeps a lookup from using a server-side plan cached once and reused for the life of the
     * connection. Such a plan, made while a table was nearly empty, went on scanning a clinic's
     * rows as the clinic grew: 1,000 retried visits took 1.5 s instead of 0.3 s. Planning each
     * execution costs a fraction of a millisecond; use it for key lookups on growing tables.
     */
    public static PreparedStatement planEachTime(PreparedStatement ps) throws SQLException {
        ps.unwrap(PGStatement.class).setPrepareThreshold(0);
        return ps;
    }

    /** A {@code text[]} parameter; cast it in SQL ({@code ?::timestamptz[]}) where another type is meant. */
    public static java.sql.Array texts(Connection c, String[] values) throws SQLException {
        return c.createArrayOf("text", values);
    }

    public static java.sql.Array ints(Connection c, Integer[] values) throws SQLException {
        return c.createArrayOf("int4", values);
    }

    public static java.sql.Array doubles(Connection c, Double[] values) throws SQLException {
        return c.createArrayOf("float8", values);
    }

    public static java.sql.Array booleans(Connection c, Boolean[] values) throws SQLException {
        return c.createArrayOf("bool", values);
    }

    /**
     * An instant as PostgreSQL reads it back exactly: ISO-8601, to the microsecond, in UTC (every
     * instant stored is cut to the microsecond first). ITU writes it in about a third of the time
     * {@link Instant#toString} takes; a visit holds five.
     */
    public static String text(Instant value) {
        if (value == null) {
            return null;
        }
        // Not OffsetDateTime.ofInstant: it asks the offset for its rules, which builds them anew
        // each time (6 % of a visit batch's request CPU in a flight recording).
        LocalDateTime utc = LocalDateTime.ofEpochSecond(value.getEpochSecond(), value.getNano(), ZoneOffset.UTC);
        return ITU.formatUtcMicro(OffsetDateTime.of(utc, ZoneOffset.UTC));
    }

    /** The indexes of {@code items} sorted by a key, for writing rows in a stable lock order. */
    public static <T> int[] order(List<T> items, Function<T, String> key) {
        // Each key made once, not at every comparison of the sort.
        String[] keys = new String[items.size()];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = key.apply(items.get(i));
        }
        return IntStream.range(0, keys.length)
                .boxed()
                .sorted(Comparator.comparing(i -> keys[i]))
                .mapToInt(Integer::intValue)
                .toArray();
    }

    /**
     * The items in key order ({@link #order}), split so that no statement holds one key twice
     * (PostgreSQL cannot update a row twice in one statement): the n-th event for a key goes in
     * round n, which keeps the order a batch gives two events of one key.
     */
    public static <T> List<int[]> rounds(List<T> items, Function<T, String> key) {
        Map<String, Integer> seen = new HashMap<>();
        List<List<Integer>> rounds = new ArrayList<>();
        for (int index : order(items, key)) {
            int round = seen.merge(key.apply(items.get(index)), 1, Integer::sum) - 1;
            if (round == rounds.size()) {
                rounds.add(new ArrayList<>());
            }
            rounds.get(round).add(index);
        }
        return rounds.stream()
                .map(r -> r.stream().mapToInt(Integer::intValue).toArray())
                .toList();
    }
}

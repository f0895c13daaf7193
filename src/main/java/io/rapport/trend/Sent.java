package io.rapport.trend;

import java.nio.ByteBuffer;

/**
 * A window's column sent as one {@code bytea}: {@code string_agg(float8send(x), ''::bytea)}, the
 * values' 8-byte binary forms end to end, NULLs left out (an aggregate skips them). A year of a
 * busy clinic is 100,000 rows; read row by row through the driver they cost more than the
 * percentiles they feed, and this form costs PostgreSQL less than {@code array_agg} with its
 * {@code array_send} (README, "Manager queries").
 */
final class Sent {

    private Sent() {}

    /** The values of a {@code float8send} aggregate, -0.0 read as 0.0 (PostgreSQL holds them equal); none for SQL NULL. */
    static double[] doubles(byte[] sent) {
        if (sent == null) {
            return new double[0];
        }
        ByteBuffer b = ByteBuffer.wrap(sent); // big-endian, as PostgreSQL sends
        double[] out = new double[sent.length / Double.BYTES];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.getDouble(i * Double.BYTES) + 0.0;
        }
        return out;
    }

    /** The values of an {@code int8send} or {@code timestamptz_send} aggregate (microseconds); none for SQL NULL. */
    static long[] longs(byte[] sent) {
        if (sent == null) {
            return new long[0];
        }
        ByteBuffer b = ByteBuffer.wrap(sent);
        long[] out = new long[sent.length / Long.BYTES];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.getLong(i * Long.BYTES);
        }
        return out;
    }
}

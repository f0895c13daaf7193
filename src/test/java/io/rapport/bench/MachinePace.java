package io.rapport.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import javax.sql.DataSource;

/**
 * The machine's pace: the same fixed work, independent of Rapport's code and data, for one
 * PostgreSQL backend and for the JVM, medians of 5. The machine's speed varies from day to day by
 * more than any change measured here (the 2026-11-30 code ran 2.2-2.7 times slower on 2026-12-02),
 * so a figure of one day is compared with another's only beside these. Both benchmarks print the
 * same two figures, so a query run and an ingest run of one day can be set side by side too.
 */
record MachinePace(double postgresSeriesMillis, double jvmSortMillis) {

    private static final int RUNS = 5;

    static MachinePace measure(DataSource dataSource) throws SQLException {
        double[] postgres = new double[RUNS];
        double[] jvm = new double[RUNS];
        try (Connection c = dataSource.getConnection();
                Statement st = c.createStatement()) {
            for (int i = 0; i < RUNS; i++) {
                long t0 = System.nanoTime();
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM generate_series(1, 3000000)")) {
                    rs.next();
                }
                postgres[i] = (System.nanoTime() - t0) / 1e6;
            }
        }
        for (int i = 0; i < RUNS; i++) {
            long[] values = new Random(42).longs(1_000_000).toArray();
            long t0 = System.nanoTime();
            Arrays.sort(values);
            jvm[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(postgres);
        Arrays.sort(jvm);
        return new MachinePace(round1(postgres[RUNS / 2]), round1(jvm[RUNS / 2]));
    }

    /** The figures in words, for a printed line or a table cell. */
    String words() {
        return String.format(
                Locale.ROOT,
                "PostgreSQL count of generate_series(1, 3000000) %.1f ms, JVM sort of 1,000,000 longs %.1f ms"
                        + " (medians of %d)",
                postgresSeriesMillis,
                jvmSortMillis,
                RUNS);
    }

    Map<String, Object> json() {
        return Map.of("postgresSeriesMillis", postgresSeriesMillis, "jvmSortMillis", jvmSortMillis);
    }

    private static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }
}

package io.rapport.visit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rows VisitStore copies, in PostgreSQL's COPY text format, written out here by hand. */
class VisitCopyRowsTest {

    @Test
    void escapesWhatTheTextFormatEscapesAndWritesNullsAsBackslashN() {
        Instant start = Instant.parse("2026-01-05T09:04:00Z");
        NewVisit odd = new NewVisit(
                "c\\1",
                "v\t1",
                "p\n1",
                "k:a\r",
                Modality.VIDEO,
                null,
                start,
                start.plusSeconds(1800),
                1200,
                600,
                null,
                1.0E-5,
                0.4,
                null,
                Instant.parse("2026-01-05T09:40:00.000123Z"));
        NewVisit plain = new NewVisit(
                "c1",
                "v2",
                "p1",
                "k:b",
                Modality.MESSAGING,
                start.minusSeconds(240),
                start,
                start.plusSeconds(60),
                0,
                300,
                60,
                7200.0,
                null,
                3,
                start.plusSeconds(120));
        // Written in key order: index 1 (c1) before index 0 (c\1).
        String rows = VisitCopyRows.of(List.of(odd, plain), new int[] {1, 0}, Instant.parse("2026-01-05T10:00:00Z"));
        assertThat(rows)
                .isEqualTo("c1\tv2\tp1\tk:b\tMESSAGING\t2026-01-05T09:00:00.000000Z\t2026-01-05T09:04:00.000000Z"
                        + "\t2026-01-05T09:05:00.000000Z\t0\t300\t60\t7200.0\t\\N\t3\t2026-01-05T09:06:00.000000Z"
                        + "\t2026-01-05T10:00:00.000000Z\t1\n"
                        + "c\\\\1\tv\\t1\tp\\n1\tk:a\\r\tVIDEO\t\\N\t2026-01-05T09:04:00.000000Z"
                        + "\t2026-01-05T09:34:00.000000Z\t1200\t600\t\\N\t1.0E-5\t0.4\t\\N\t2026-01-05T09:40:00.000123Z"
                        + "\t2026-01-05T10:00:00.000000Z\t1\n");
    }
}

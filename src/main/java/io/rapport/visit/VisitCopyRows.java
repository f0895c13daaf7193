package io.rapport.visit;

import io.rapport.db.Jdbc;
import java.time.Instant;
import java.util.List;

/**
 * Visits as the rows of a {@code COPY ... FROM STDIN} in PostgreSQL's text format: tab between
 * columns, {@code \N} for null, in the column order of {@code VisitStore}'s {@code COPY}.
 */
final class VisitCopyRows {

    private VisitCopyRows() {}

    static String of(List<NewVisit> visits, int[] order, Instant receivedAt) {
        String received = Jdbc.text(receivedAt);
        StringBuilder out = new StringBuilder(order.length * 320);
        for (int index : order) {
            NewVisit v = visits.get(index);
            text(out, v.clinicId());
            text(out, v.visitId());
            text(out, v.providerId());
            text(out, v.patientPseudonym());
            text(out, v.modality().name());
            value(out, Jdbc.text(v.scheduledStart()));
            value(out, Jdbc.text(v.startedAt()));
            value(out, Jdbc.text(v.endedAt()));
            value(out, v.faceToFaceSeconds());
            value(out, v.documentationSeconds());
            value(out, v.afterHoursDocumentationSeconds());
            value(out, v.responseLatencySeconds());
            value(out, v.patientTalkShare());
            value(out, v.connectionDrops());
            value(out, Jdbc.text(v.recordedAt()));
            out.append(received).append('\t').append('1').append('\n');
        }
        return out.toString();
    }

    /**
     * Numbers and instants (as Jdbc.text writes them) print nothing the text format escapes,
     * Double's exponent form included.
     */
    private static void value(StringBuilder out, Object value) {
        if (value == null) {
            out.append("\\N");
        } else {
            out.append(value);
        }
        out.append('\t');
    }

    /**
     * A string with the text format's escapes. Ids are restricted to characters that need none
     * (Ids.PATTERN) and a pseudonym is a key id and an encoded HMAC, but the format must not depend on
     * that.
     */
    private static void text(StringBuilder out, String value) {
        if (value == null) {
            out.append("\\N\t");
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            switch (ch) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(ch);
            }
        }
        out.append('\t');
    }
}

package io.rapport.trend;

import java.util.Arrays;
import java.util.Optional;

/**
 * The per-visit numbers managers can trend, each a column of {@code visit_fact}, with the
 * precision its answers are rounded to ({@link Round}).
 */
enum VisitMetric {
    /** Live visits only: a message thread has no face-to-face time. */
    FACE_TO_FACE_SHARE("faceToFaceShare", "face_to_face_share", Round.SHARE),
    /** Live visits only. */
    FACE_TO_FACE_SECONDS("faceToFaceSeconds", "face_to_face_seconds", Round.SECONDS),
    DOCUMENTATION_SECONDS("documentationSeconds", "documentation_seconds", Round.SECONDS),
    AFTER_HOURS_DOCUMENTATION_SECONDS(
            "afterHoursDocumentationSeconds", "after_hours_documentation_seconds", Round.SECONDS),
    WAIT_SECONDS("waitSeconds", "wait_seconds", Round.SECONDS),
    /** Turn-taking gaps in live visits (VIDEO, PHONE, IN_PERSON). */
    RESPONSE_LATENCY_SECONDS("responseLatencySeconds", "response_latency_seconds", Round.SECONDS),
    /** How long a MESSAGING visit's replies took: hours, not the seconds of a live conversation. */
    MESSAGE_REPLY_SECONDS("messageReplySeconds", "message_reply_seconds", Round.SECONDS),
    PATIENT_TALK_SHARE("patientTalkShare", "patient_talk_share", Round.SHARE),
    CONNECTION_DROPS("connectionDrops", "connection_drops", Round.SCORE);

    final String apiName;
    /** A fixed column name: safe to place in SQL text, unlike anything a client sends. */
    final String column;
    /** Decimal places of this metric's values, means and percentiles. */
    final int decimals;

    VisitMetric(String apiName, String column, int decimals) {
        this.apiName = apiName;
        this.column = column;
        this.decimals = decimals;
    }

    static Optional<VisitMetric> byApiName(String name) {
        return Arrays.stream(values()).filter(m -> m.apiName.equals(name)).findFirst();
    }

    static String apiNames() {
        return String.join(", ", Arrays.stream(values()).map(m -> m.apiName).toList());
    }
}

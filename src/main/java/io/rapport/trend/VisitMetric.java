package io.rapport.trend;

import java.util.Arrays;
import java.util.Optional;

/** The per-visit numbers managers can trend, each a column of the {@code visit_facts} view. */
enum VisitMetric {
    FACE_TO_FACE_SHARE("faceToFaceShare", "face_to_face_share"),
    FACE_TO_FACE_SECONDS("faceToFaceSeconds", "face_to_face_seconds"),
    DOCUMENTATION_SECONDS("documentationSeconds", "documentation_seconds"),
    AFTER_HOURS_DOCUMENTATION_SECONDS("afterHoursDocumentationSeconds", "after_hours_documentation_seconds"),
    WAIT_SECONDS("waitSeconds", "wait_seconds"),
    RESPONSE_LATENCY_SECONDS("responseLatencySeconds", "response_latency_seconds"),
    PATIENT_TALK_SHARE("patientTalkShare", "patient_talk_share"),
    CONNECTION_DROPS("connectionDrops", "connection_drops");

    final String apiName;
    /** A fixed column name: safe to place in SQL text, unlike anything a client sends. */
    final String column;

    VisitMetric(String apiName, String column) {
        this.apiName = apiName;
        this.column = column;
    }

    static Optional<VisitMetric> byApiName(String name) {
        return Arrays.stream(values()).filter(m -> m.apiName.equals(name)).findFirst();
    }
}

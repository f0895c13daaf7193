package io.rapport.visit;

/** Request examples shown in the OpenAPI document and Swagger UI. */
final class VisitExamples {

    private VisitExamples() {}

    static final String VISIT = """
            {
              "clinicId": "clinic-north",
              "visitId": "v-2026-0001",
              "providerId": "dr-okafor",
              "patientId": "patient-8841",
              "modality": "VIDEO",
              "scheduledStart": "2026-03-02T14:00:00Z",
              "startedAt": "2026-03-02T14:04:00Z",
              "endedAt": "2026-03-02T14:29:00Z",
              "faceToFaceSeconds": 1320,
              "documentationSeconds": 780,
              "afterHoursDocumentationSeconds": 240,
              "responseLatencySeconds": 1.8,
              "patientTalkShare": 0.46,
              "connectionDrops": 1
            }
            """;

    static final String BATCH = """
            [
              {"clinicId": "clinic-north", "visitId": "v-2026-0002", "providerId": "dr-okafor",
               "patientId": "patient-1203", "modality": "PHONE",
               "startedAt": "2026-03-02T15:00:00Z", "endedAt": "2026-03-02T15:12:00Z",
               "faceToFaceSeconds": 700, "documentationSeconds": 420},
              {"clinicId": "clinic-north", "visitId": "v-2026-0003", "providerId": "np-lindqvist",
               "patientId": "patient-0077", "modality": "MESSAGING",
               "startedAt": "2026-03-02T09:00:00Z", "endedAt": "2026-03-02T17:30:00Z",
               "faceToFaceSeconds": 0, "documentationSeconds": 300, "responseLatencySeconds": 5400}
            ]
            """;
}

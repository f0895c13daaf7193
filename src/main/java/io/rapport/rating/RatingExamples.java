package io.rapport.rating;

/** Request examples for the OpenAPI document. */
final class RatingExamples {

    private RatingExamples() {}

    static final String SRS = """
            {"clinicId": "clinic-north", "visitId": "v-2026-0001", "instrument": "SRS",
             "items": [9.1, 8.7, 9.3, 9.0], "submittedAt": "2026-03-02T14:35:00Z"}
            """;

    static final String BATCH = """
            [
              {"clinicId": "clinic-north", "visitId": "v-2026-0001", "instrument": "RAPPORT-5",
               "items": [5, 4, 5, null, 4], "submittedAt": "2026-03-02T14:36:00Z"},
              {"clinicId": "clinic-north", "visitId": "v-2026-0001", "instrument": "NPS",
               "items": [9], "submittedAt": "2026-03-02T14:36:30Z"}
            ]
            """;
}

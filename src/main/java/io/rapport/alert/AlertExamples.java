package io.rapport.alert;

/** Request examples for the OpenAPI document. */
final class AlertExamples {

    private AlertExamples() {}

    static final String ACKNOWLEDGE = """
            {"note": "Called the patient; follow-up booked with the same clinician."}
            """;
}

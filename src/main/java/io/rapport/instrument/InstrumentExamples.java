package io.rapport.instrument;

/** Request examples for the OpenAPI document. */
final class InstrumentExamples {

    private InstrumentExamples() {}

    static final String INSTRUMENT = """
            {"clinicId": "clinic-north", "code": "TELE-3", "version": 1, "name": "Telehealth comfort check",
             "items": 3, "itemMin": 1, "itemMax": 5, "itemStep": 1,
             "itemTexts": ["The video and sound let me talk naturally.", "I could show what I needed to show.",
                           "I would choose a video visit again."],
             "subscales": {}, "total": "MEAN",
             "missing": {"policy": "MEAN_OF_ANSWERED", "maxMissing": 1, "overLimit": "REJECT"},
             "categories": [], "defaultCutoff": 2.5, "dropAlert": false, "dropThreshold": 0}
            """;
}

package io.rapport.support;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** Test data builders. Every test makes its own clinic so tests never see each other's rows. */
public final class Fixtures {

    private Fixtures() {}

    public static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 13);
    }

    /**
     * Fixed for the whole run, so building the same visit twice gives the same event (a retry),
     * whichever second the test happens to be in.
     */
    private static final Instant START =
            Instant.now().truncatedTo(ChronoUnit.HOURS).minus(2, ChronoUnit.HOURS);

    /**
     * Version 1 of a clinic's own instrument: three items of 1 to 5, their mean the total, every
     * answer required, an alert below 2.5, no drop rule. Tests change what they are about with
     * {@link #with}.
     */
    public static Map<String, Object> instrument(String clinic, String code) {
        Map<String, Object> def = new LinkedHashMap<>();
        def.put("clinicId", clinic);
        def.put("code", code);
        def.put("version", 1);
        def.put("name", "Three-item check");
        def.put("items", 3);
        def.put("itemMin", 1);
        def.put("itemMax", 5);
        def.put("itemStep", 1);
        def.put("total", "MEAN");
        def.put("missing", Map.of("policy", "NONE", "maxMissing", 0, "overLimit", "REJECT"));
        def.put("defaultCutoff", 2.5);
        def.put("dropAlert", false);
        def.put("dropThreshold", 0);
        return def;
    }

    /** A valid VIDEO visit of 30 min that started about two hours ago, 4 min after its schedule. */
    public static Map<String, Object> visit(String clinicId, String visitId) {
        Instant start = START;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("clinicId", clinicId);
        m.put("visitId", visitId);
        m.put("providerId", "prov-1");
        m.put("patientId", "patient-secret-42");
        m.put("modality", "VIDEO");
        m.put("scheduledStart", start.minusSeconds(240).toString());
        m.put("startedAt", start.toString());
        m.put("endedAt", start.plusSeconds(1800).toString());
        m.put("faceToFaceSeconds", 1200);
        m.put("documentationSeconds", 600);
        m.put("afterHoursDocumentationSeconds", 120);
        m.put("responseLatencySeconds", 2.5);
        m.put("patientTalkShare", 0.4);
        m.put("connectionDrops", 1);
        return m;
    }

    /** An SRS rating of the visit: four items, 0-10 each, their sum the total. */
    public static Map<String, Object> srs(String clinicId, String visitId, String submittedAt, Number... items) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("clinicId", clinicId);
        m.put("visitId", visitId);
        m.put("instrument", "SRS");
        m.put("items", java.util.List.of(items));
        m.put("submittedAt", submittedAt);
        return m;
    }

    /** The visit moved to start on time at {@code start}, and to last 30 min. */
    public static Map<String, Object> startingAt(Map<String, Object> visit, Instant start) {
        return with(
                visit,
                "scheduledStart",
                start.toString(),
                "startedAt",
                start.toString(),
                "endedAt",
                start.plusSeconds(1800).toString());
    }

    /** The visit with none of its optional fields. */
    public static Map<String, Object> withoutOptionalFields(Map<String, Object> visit) {
        return with(
                visit,
                "scheduledStart",
                REMOVE,
                "afterHoursDocumentationSeconds",
                REMOVE,
                "responseLatencySeconds",
                REMOVE,
                "patientTalkShare",
                REMOVE,
                "connectionDrops",
                REMOVE);
    }

    public static Map<String, Object> with(Map<String, Object> base, Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>(base);
        for (int i = 0; i < keyValues.length; i += 2) {
            if (keyValues[i + 1] == Fixtures.REMOVE) {
                m.remove((String) keyValues[i]);
            } else {
                m.put((String) keyValues[i], keyValues[i + 1]);
            }
        }
        return m;
    }

    /** Marker for {@link #with}: drop the key. */
    public static final Object REMOVE = new Object();
}

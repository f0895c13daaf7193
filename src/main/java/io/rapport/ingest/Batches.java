package io.rapport.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Set;

/** Facts about a batch body before or apart from reading its items. */
public final class Batches {

    private Batches() {}

    /**
     * The clinic ids the batch's items name, each once, for the audit trail, which keeps only the
     * ones a clinic can have ({@code Audit.clinic}).
     */
    public static Set<String> clinicIds(JsonNode body) {
        Set<String> named = new HashSet<>();
        if (body != null && body.isArray()) {
            for (JsonNode item : body) {
                JsonNode id = item == null ? null : item.get("clinicId");
                if (id != null && id.isTextual()) {
                    named.add(id.asText());
                }
            }
        }
        return named;
    }
}

package io.rapport.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Set;

/** Facts about a batch body before or apart from reading its items. */
public final class Batches {

    private Batches() {}

    /**
     * The clinic ids the batch's first {@code items} items name, each once, for the audit trail,
     * which keeps only the ones a clinic can have ({@code Audit.clinic}). Only as many items as a
     * batch may hold: a body over the limit is refused, and its row must not carry an id for each
     * of the tens of thousands of items a mebibyte can hold.
     */
    static Set<String> clinicIds(JsonNode body, int items) {
        Set<String> named = new HashSet<>();
        if (body != null && body.isArray()) {
            for (int i = 0; i < Math.min(items, body.size()); i++) {
                JsonNode item = body.get(i);
                JsonNode id = item == null ? null : item.get("clinicId");
                if (id != null && id.isTextual()) {
                    named.add(id.asText());
                }
            }
        }
        return named;
    }
}

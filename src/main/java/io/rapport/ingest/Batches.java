package io.rapport.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;
import java.util.TreeSet;

/** Facts about a batch body before or apart from reading its items. */
public final class Batches {

    private Batches() {}

    /** The well-formed clinic ids the batch's items name, for the audit trail. */
    public static Set<String> clinicIds(JsonNode body) {
        Set<String> ids = new TreeSet<>();
        if (body != null && body.isArray()) {
            for (JsonNode item : body) {
                JsonNode id = item == null ? null : item.get("clinicId");
                if (id != null && id.isTextual() && Ids.valid(id.asText())) {
                    ids.add(id.asText());
                }
            }
        }
        return ids;
    }
}

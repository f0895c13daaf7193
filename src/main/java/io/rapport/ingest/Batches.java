package io.rapport.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.rapport.config.Ids;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;

/** Facts about a batch body before or apart from reading its items. */
public final class Batches {

    private Batches() {}

    /** The well-formed clinic ids the batch's items name, for the audit trail. */
    public static Set<String> clinicIds(JsonNode body) {
        // Each distinct id checked once: a batch names a clinic or two a thousand times.
        Set<String> named = new HashSet<>();
        if (body != null && body.isArray()) {
            for (JsonNode item : body) {
                JsonNode id = item == null ? null : item.get("clinicId");
                if (id != null && id.isTextual()) {
                    named.add(id.asText());
                }
            }
        }
        Set<String> ids = new TreeSet<>();
        for (String id : named) {
            if (Ids.valid(id)) {
                ids.add(id);
            }
        }
        return ids;
    }
}

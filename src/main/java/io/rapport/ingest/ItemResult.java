package io.rapport.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.rapport.error.Violation;
import java.util.List;

/** The answer for one item of a batch, at its index in the request. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ItemResult(int index, String visitId, Outcome status, Integer revision, List<Violation> violations) {

    public static ItemResult rejected(int index, String visitId, List<Violation> violations) {
        return new ItemResult(index, visitId, Outcome.REJECTED, null, Violation.listed(violations));
    }
}

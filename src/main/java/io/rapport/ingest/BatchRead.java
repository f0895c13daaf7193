package io.rapport.ingest;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * A batch after reading: a result slot per input index (rejected items already filled), and the
 * valid items with the index each came from, ready to store.
 */
public final class BatchRead<N> {

    private final ItemResult[] results;
    private final List<N> valid = new ArrayList<>();
    private final List<Integer> validIndex = new ArrayList<>();
    private int malformed;
    private int invalid;

    BatchRead(int size) {
        this.results = new ItemResult[size];
    }

    void reject(ItemResult result, boolean unreadable) {
        results[result.index()] = result;
        if (unreadable) {
            malformed++;
        } else {
            invalid++;
        }
    }

    void accept(int index, N item) {
        valid.add(item);
        validIndex.add(index);
    }

    public List<N> valid() {
        return valid;
    }

    /** Items that could not be read at all (bad JSON shape, unknown field, wrong type). */
    public int malformed() {
        return malformed;
    }

    /** Items that were read but broke a rule. */
    public int invalid() {
        return invalid;
    }

    /**
     * Fills in the stored outcomes (in the order of {@link #valid()}), tells {@code recorded}
     * about each one, and returns the batch answer.
     */
    public BatchResponse answer(List<Stored> stored, Function<N, String> visitId, BiConsumer<N, Outcome> recorded) {
        for (int k = 0; k < stored.size(); k++) {
            N item = valid.get(k);
            int index = validIndex.get(k);
            results[index] = new ItemResult(
                    index,
                    visitId.apply(item),
                    stored.get(k).outcome(),
                    stored.get(k).revision(),
                    null);
            recorded.accept(item, stored.get(k).outcome());
        }
        return BatchResponse.of(List.of(results));
    }
}

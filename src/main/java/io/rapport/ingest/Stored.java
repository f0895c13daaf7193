package io.rapport.ingest;

import java.util.List;

/** What storing one event did, and the revision now stored (none for an item that was refused). */
public record Stored(Outcome outcome, Integer revision) {

    /**
     * A store's answers, one per item, as a list. A slot still empty means the item's row was gone
     * when the store read it again after its upsert (deleted by hand in between): the batch fails,
     * rolls back and is answered 500, rather than answer an item with no outcome.
     */
    public static List<Stored> all(Stored[] answers) {
        for (Stored s : answers) {
            if (s == null) {
                throw new IllegalStateException("A row the upsert waited for is no longer stored");
            }
        }
        return List.of(answers);
    }
}

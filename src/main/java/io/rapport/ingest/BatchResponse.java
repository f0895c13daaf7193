package io.rapport.ingest;

import java.util.List;

/**
 * Counts and per-item results of a batch. {@code unchanged} counts retries and stale corrections
 * alike (nothing changed); the per-item {@code status} tells them apart. {@code forbidden} counts
 * items of clinics outside the caller's scope, of which nothing was stored.
 */
public record BatchResponse(
        int created, int updated, int unchanged, int rejected, int forbidden, List<ItemResult> results) {

    public static BatchResponse of(List<ItemResult> results) {
        int created = 0, updated = 0, unchanged = 0, rejected = 0, forbidden = 0;
        for (ItemResult r : results) {
            switch (r.status()) {
                case CREATED -> created++;
                case UPDATED -> updated++;
                case UNCHANGED, STALE -> unchanged++;
                case REJECTED -> rejected++;
                case FORBIDDEN -> forbidden++;
            }
        }
        return new BatchResponse(created, updated, unchanged, rejected, forbidden, results);
    }
}

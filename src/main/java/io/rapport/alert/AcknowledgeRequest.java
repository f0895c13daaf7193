package io.rapport.alert;

import jakarta.validation.constraints.Size;

/** Optional note from whoever followed up. */
public record AcknowledgeRequest(
        @Size(max = 1000, message = "must be at most 1000 characters")
        String note) {}

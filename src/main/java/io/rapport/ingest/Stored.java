package io.rapport.ingest;

/** What storing one event did, and the revision now stored (none for an item that was refused). */
public record Stored(Outcome outcome, Integer revision) {}

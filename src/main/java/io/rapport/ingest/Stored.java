package io.rapport.ingest;

/** What storing one event did, and the revision now stored. */
public record Stored(Outcome outcome, int revision) {}

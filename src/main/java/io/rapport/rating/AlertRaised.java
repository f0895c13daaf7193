package io.rapport.rating;

/** An alert opened (or reopened); observed after commit by the metrics. */
public record AlertRaised(String instrument, String reason) {}

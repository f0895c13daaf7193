package io.rapport.metrics;

/**
 * Alerts opened (or reopened) by one evaluation, fired by the alert feature inside its transaction
 * and counted by {@link IngestMetrics} only after commit.
 *
 * @param instrument the instrument label (a built-in's code or "custom"), never a free-text code
 */
public record AlertRaised(String instrument, String reason, int count) {}

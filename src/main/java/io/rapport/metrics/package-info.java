/**
 * Prometheus meters. Tags are low-cardinality only: modality, outcome, instrument, reason, kind;
 * never a patient, provider or visit id. The per-clinic gauges are the one bounded exception.
 */
package io.rapport.metrics;

/**
 * The audit trail: one append-only row per API request that reads clinic data, writes a batch,
 * or is denied. {@link io.rapport.audit.AuditTrail} is its only writer.
 */
package io.rapport.audit;

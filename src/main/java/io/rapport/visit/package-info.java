/**
 * Visit events: one per telehealth visit, posted by platforms, stored idempotently on
 * (clinicId, visitId) with corrections ordered by recordedAt.
 */
package io.rapport.visit;

/**
 * Post-visit patient ratings as events: their records and rules, the one set-based upsert of the
 * rating table ({@code RatingStore}), and what ratings supply to the ingest pipeline. How a rating
 * is scored is {@code io.rapport.instrument}'s; the alerts a rating raises are {@code
 * io.rapport.alert}'s.
 */
package io.rapport.rating;

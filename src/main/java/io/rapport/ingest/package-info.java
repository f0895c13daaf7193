/**
 * The ingest contract that visits and ratings share: the idempotent outcome of one event, the
 * per-item batch answer, and reading batch items one by one so a bad item rejects only itself.
 */
package io.rapport.ingest;

/**
 * The OpenAPI document as a contract: its metadata, the answers every operation shares (declared
 * once in {@link io.rapport.openapi.RapportApi}) and the rules that wire them to each operation and
 * tighten the schemas ({@link io.rapport.openapi.ContractFilter}). Resources say only what is their
 * own: operation ids, summaries, success bodies, request examples.
 */
package io.rapport.openapi;

/**
 * Rating instruments as data: their definitions, the built-ins (the SRS and its cutoff among
 * them), scoring exactly as each instrument's authors publish it, and the clinics' own
 * instruments with their configured cutoffs ({@code InstrumentRegistry}, the instrument table's
 * one writer).
 */
package io.rapport.instrument;

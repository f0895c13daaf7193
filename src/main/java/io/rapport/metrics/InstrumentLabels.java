package io.rapport.metrics;

import java.util.List;
import java.util.Map;

/**
 * What the meters need to know about instruments. The instrument feature implements it, so
 * metrics depends on no feature package.
 */
public interface InstrumentLabels {

    /** Every value the instrument label can take: the built-in codes and "custom". */
    List<String> labels();

    /** The label of one instrument code: a built-in's code, else "custom" (clinic codes are free text). */
    String label(String code);

    /**
     * Built-in code → the alert cutoff in force, for every built-in that has one: the per-clinic
     * below-cutoff gauge covers each (clinic instruments bring theirs in their definitions).
     */
    Map<String, Double> builtInCutoffs();

    /**
     * Every configured {@code rapport.instruments.<code>.cutoff}, by folded code (upper case, {@code -}
     * as {@code _}: the form an environment variable leaves it in): for a clinic's instrument it
     * wins over its definition's.
     */
    Map<String, Double> configuredCutoffs();
}

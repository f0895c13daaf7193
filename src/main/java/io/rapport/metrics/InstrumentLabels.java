package io.rapport.metrics;

import java.util.List;

/**
 * What the meters need to know about instruments. The instrument feature implements it, so
 * metrics depends on no feature package.
 */
public interface InstrumentLabels {

    /** Every value the instrument label can take: the built-in codes and "custom". */
    List<String> labels();

    /** The label of one instrument code: a built-in's code, else "custom" (clinic codes are free text). */
    String label(String code);

    /** The SRS alert cutoff in force, for the per-clinic below-cutoff gauge. */
    double srsCutoff();
}

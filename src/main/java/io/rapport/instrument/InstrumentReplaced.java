package io.rapport.instrument;

/**
 * A clinic registered a new version of one of its instruments, in the transaction still open: the
 * alerts of that instrument's stored ratings are to be judged again by the new rules.
 */
public record InstrumentReplaced(String clinicId, String code) {}

package io.rapport.security;

/**
 * Fired in the ingest transaction, after its events are stored, when re-keying moved a returning
 * patient's visits to the active key and the events themselves changed nothing: the sequences the
 * visits joined and left are in the transaction's moved sequences ({@link PatientRekeying}), and
 * alert evaluation works them out again.
 */
public record PatientsRekeyed() {}

package io.rapport.security;

/**
 * Fired in the ingest transaction, after its events are stored, when re-keying moved a returning
 * patient's visits to the active key: the sequences they joined are in the transaction's moved
 * sequences ({@link PatientRekeying}), and alert evaluation works them out again even when the
 * events themselves changed nothing.
 */
public record PatientsRekeyed() {}

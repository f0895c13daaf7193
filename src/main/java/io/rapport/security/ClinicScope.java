package io.rapport.security;

/**
 * The clinics the caller of the current request may touch, as its token says. Ingest asks it per
 * item, so a batch can refuse one clinic's items and store the rest.
 */
public interface ClinicScope {

    /** Whether the caller may read or write this clinic's data. */
    boolean includes(String clinicId);

    /** For trusted code inside the service (the dev demo seeder), never for a request. */
    ClinicScope EVERY_CLINIC = clinicId -> true;
}

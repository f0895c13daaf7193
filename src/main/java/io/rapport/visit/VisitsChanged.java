package io.rapport.visit;

import java.util.List;

/**
 * Fired inside the storing transaction when visits were created or corrected, so features that
 * depend on a visit (alerts on its ratings) update in the same commit.
 *
 * @param left the (patient, provider) sequences corrected visits moved out of: their ratings'
 *     "previous" may have changed too
 */
public record VisitsChanged(List<Visit.Key> created, List<Visit.Key> corrected, List<Sequence> left) {

    /** One patient's visits with one provider in one clinic, in start order. */
    public record Sequence(String clinicId, String patientPseudonym, String providerId) {}
}

package io.rapport.visit;

import java.util.List;

/**
 * Fired inside the storing transaction when visits were created or corrected, so features that
 * depend on a visit (alerts on its ratings) update in the same commit.
 * The sequences corrected visits moved out of are not carried here: only the database knows the
 * row versions an update really replaced (V9).
 */
public record VisitsChanged(List<Visit.Key> created, List<Visit.Key> corrected) {}

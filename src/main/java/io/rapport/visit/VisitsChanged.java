package io.rapport.visit;

import java.util.List;

/**
 * Fired inside the storing transaction when visits were created or corrected, so features that
 * depend on a visit (alerts on its ratings) update in the same commit.
 */
public record VisitsChanged(List<Visit.Key> created, List<Visit.Key> corrected) {}

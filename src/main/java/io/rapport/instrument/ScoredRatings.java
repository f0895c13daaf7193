package io.rapport.instrument;

/**
 * Whether a clinic's instrument has scored ratings that are stored. Answered by the package that
 * stores ratings, which depends on this one; the registry asks before it lets a new version change
 * the scale those ratings were scored on.
 */
public interface ScoredRatings {

    boolean any(String clinicId, String instrument);
}

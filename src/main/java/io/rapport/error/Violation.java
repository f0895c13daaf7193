package io.rapport.error;

/**
 * One broken input rule.
 *
 * @param field JSON path of the offending value, e.g. {@code faceToFaceSeconds} or {@code [7].endedAt}
 * @param message what the rule is, in words a platform developer can act on
 */
public record Violation(String field, String message) {

    public Violation prefixed(String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            return this;
        }
        if (field == null || field.isEmpty()) {
            return new Violation(prefix, message);
        }
        return new Violation(field.startsWith("[") ? prefix + field : prefix + "." + field, message);
    }
}

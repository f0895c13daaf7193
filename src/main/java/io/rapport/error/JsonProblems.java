package io.rapport.error;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.rapport.config.Limits;
import java.util.List;

/**
 * Turns Jackson's reading errors into a {@link Violation}. Jackson's own messages quote the input,
 * which may hold a patient id, so they are never passed on: only the path and the expected type are.
 */
public final class JsonProblems {

    private JsonProblems() {}

    public static Violation violation(JsonProcessingException e) {
        if (e instanceof StreamConstraintsException limit) {
            return new Violation("", limit(limit));
        }
        String path = e instanceof JsonMappingException m ? path(m) : "";
        if (e instanceof UnrecognizedPropertyException u) {
            List<JsonMappingException.Reference> refs = u.getPath();
            return Violation.unknownField(path(refs.subList(0, Math.max(0, refs.size() - 1))), u.getPropertyName());
        }
        if (e instanceof InvalidFormatException f && f.getValue() instanceof String s && s.indexOf('\u0000') >= 0) {
            return new Violation(path, "must not contain the NUL character (U+0000)");
        }
        if (e instanceof InvalidFormatException f && f.getTargetType() != null) {
            return new Violation(path, "must be " + describe(f.getTargetType()));
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null && !path.isEmpty()) {
            return new Violation(path, "must be " + describe(m.getTargetType()));
        }
        InputCoercionException tooLarge = coercion(e);
        if (tooLarge != null) {
            // Well-formed JSON: a whole number too large for its field (2147483648 for a count).
            return new Violation(path, "is out of range for " + describe(tooLarge.getTargetType()));
        }
        Violation repeated = repeatedKey(e);
        if (repeated != null) {
            return repeated;
        }
        JsonLocation loc = e.getLocation();
        String where = loc == null || loc.getLineNr() < 0
                ? ""
                : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
        if (e.getOriginalMessage() != null && e.getOriginalMessage().startsWith(INVALID_UTF8)) {
            // Often Latin-1 text, declared so or not: "not well-formed" sent the platform to look
            // for a syntax error, where the fix is the encoding.
            return new Violation(
                    path, "is not valid UTF-8" + where + " (JSON is read as UTF-8, whatever the charset declared)");
        }
        return new Violation(path, "is not well-formed JSON" + where);
    }

    /**
     * Like {@link #violation}, for a value read on its own (one field of an object), where a
     * mismatch at the top has no path but is still a wrong type, not bad JSON.
     */
    public static Violation valueViolation(JsonProcessingException e) {
        if (e instanceof MismatchedInputException m
                && m.getTargetType() != null
                && !(e instanceof UnrecognizedPropertyException)
                && !(e instanceof InvalidFormatException f
                        && f.getValue() instanceof String s
                        && s.indexOf('\u0000') >= 0)) {
            return new Violation(path(m), "must be " + describe(m.getTargetType()));
        }
        return violation(e);
    }

    /** How Jackson's messages about bytes that are not UTF-8 begin ("Invalid UTF-8 start byte 0xe9"). */
    private static final String INVALID_UTF8 = "Invalid UTF-8";

    /** Jackson's own wording for a key sent twice (STRICT_DUPLICATE_DETECTION), which has no type of its own. */
    private static final String DUPLICATE = "Duplicate field '";

    /**
     * A key sent twice is well-formed JSON, and was answered as "not well-formed" with no field,
     * leaving a developer to look for a syntax error that is not there. It is named, with where
     * the object holding it sits ({@code [7].clinicId}), when it is a word of letters (a key with
     * digits or punctuation may be data, an object keyed by patient id, and is not repeated back).
     */
    private static Violation repeatedKey(JsonProcessingException e) {
        String m = e.getOriginalMessage();
        if (!(e instanceof StreamReadException read) || m == null || !m.startsWith(DUPLICATE) || !m.endsWith("'")) {
            return null;
        }
        String name = m.substring(DUPLICATE.length(), m.length() - 1);
        String where =
                read.getProcessor() == null ? "" : where(read.getProcessor().getParsingContext());
        return Violation.repeatedField(where, name);
    }

    /**
     * Where the object being read sits: {@code [7]}, {@code missing}, or "" at the top; a key on the
     * way that is not a plain word shows as {@code ?} ({@code [0].x.?}), as it may be a patient's id.
     */
    private static String where(JsonStreamContext object) {
        java.util.Deque<String> parts = new java.util.ArrayDeque<>();
        for (JsonStreamContext c = object == null ? null : object.getParent();
                c != null && !c.inRoot();
                c = c.getParent()) {
            parts.addFirst(
                    c.inArray() ? "[" + c.getCurrentIndex() + "]" : "." + Violation.pathName(c.getCurrentName()));
        }
        String path = String.join("", parts);
        return path.startsWith(".") ? path.substring(1) : path;
    }

    /** A number too large for its type, as thrown, or as the cause Jackson wrapped with its path. */
    private static InputCoercionException coercion(JsonProcessingException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InputCoercionException c && c.getTargetType() != null) {
                return c;
            }
        }
        return null;
    }

    /**
     * Which of the {@code StreamReadConstraints} set in {@code config.StrictJson} the body broke.
     * Jackson's message names the limit and the count, never the input, but is phrased for Java
     * developers; this is for the platform's.
     */
    private static String limit(StreamConstraintsException e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        if (m.contains("nesting depth")) {
            return "is nested too deeply (at most " + Limits.MAX_NESTING_DEPTH + " levels)";
        }
        if (m.contains("Token count")) {
            return "has too many JSON tokens (at most " + Limits.MAX_TOKENS + ")";
        }
        if (m.contains("String value length") || m.contains("Name length")) {
            return "holds a string longer than " + Limits.MAX_STRING_LENGTH + " characters";
        }
        if (m.contains("Number value length")) {
            return "holds a number longer than " + Limits.MAX_NUMBER_LENGTH + " digits";
        }
        return "exceeds a size limit";
    }

    /** The JSON path of the failing value: {@code [7].endedAt}, {@code items[2]}. */
    public static String path(JsonMappingException e) {
        return path(e.getPath());
    }

    private static String path(List<JsonMappingException.Reference> refs) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : refs) {
            if (ref.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(Violation.key(ref.getFieldName()));
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String describe(Class<?> type) {
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "a whole number";
        }
        if (type == Double.class || type == double.class || Number.class.isAssignableFrom(type)) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == java.time.Instant.class) {
            return "an ISO-8601 instant such as 2026-03-02T14:00:00Z";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type.isEnum()) {
            Object[] values = type.getEnumConstants();
            StringBuilder sb = new StringBuilder("one of ");
            for (int i = 0; i < values.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(values[i]);
            }
            return sb.toString();
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        return "a JSON object";
    }
}

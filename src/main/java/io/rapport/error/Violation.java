package io.rapport.error;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One broken input rule.
 *
 * @param field JSON path of the offending value, e.g. {@code faceToFaceSeconds} or {@code [7].endedAt}
 * @param message what the rule is, in words a platform developer can act on
 */
public record Violation(String field, String message) {

    /**
     * The order violations are listed in: by field as a reader counts, items[2] before items[10]
     * (as text, items[10] to items[19] came before items[2], and a list cut at 50 was not the first
     * 50), then by message.
     */
    public static final Comparator<Violation> BY_FIELD =
            Comparator.comparing(Violation::field, Violation::compareFields).thenComparing(Violation::message);

    /** Runs of digits compare as numbers, the rest as text. */
    private static int compareFields(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char x = a.charAt(i);
            char y = b.charAt(j);
            if (Character.isDigit(x) && Character.isDigit(y)) {
                int iEnd = i;
                while (iEnd < a.length() && Character.isDigit(a.charAt(iEnd))) {
                    iEnd++;
                }
                int jEnd = j;
                while (jEnd < b.length() && Character.isDigit(b.charAt(jEnd))) {
                    jEnd++;
                }
                int byNumber = new java.math.BigInteger(a.substring(i, iEnd))
                        .compareTo(new java.math.BigInteger(b.substring(j, jEnd)));
                if (byNumber != 0) {
                    return byNumber;
                }
                i = iEnd;
                j = jEnd;
            } else {
                if (x != y) {
                    return Character.compare(x, y);
                }
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /** The most violations one answer, or one batch item, lists: 70,000 unknown keys made 3.6 MB. */
    public static final int MAX_LISTED = 50;

    /** A field name made of letters, as every field of every event is; anything else may be data. */
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z][A-Za-z_]{0,63}");

    /**
     * An object at {@code parent} holds a field {@code name} that it has no such field. The name is
     * repeated back only when it is a plain word, as a misspelt field is: a platform that keys an
     * object by patient id must not find that id in the answer.
     */
    public static Violation unknownField(String parent, String name) {
        return aboutField(
                parent,
                name,
                "is not a known field",
                "holds a field that is not known (its name is not repeated back: it is not a plain word)");
    }

    /** An object at {@code parent} holds the key {@code name} twice; named back as {@link #unknownField} is. */
    public static Violation repeatedField(String parent, String name) {
        return aboutField(
                parent,
                name,
                "is given more than once",
                "holds a key given more than once (not repeated back: it is not a plain word)");
    }

    private static Violation aboutField(String parent, String name, String named, String unnamed) {
        if (plain(name)) {
            return new Violation(parent == null || parent.isEmpty() ? name : parent + "." + name, named);
        }
        return new Violation(parent == null ? "" : parent, unnamed);
    }

    /** A rule about a name the caller chose, named back only when it is a plain word. */
    public static Violation named(String name, String message) {
        return plain(name)
                ? new Violation(name, message)
                : new Violation("", "a name that is not a plain word (not repeated back) " + message);
    }

    private static boolean plain(String name) {
        return name != null && PLAIN_NAME.matcher(name).matches();
    }

    /**
     * A Bean Validation property path as the JSON path a caller wrote: {@code itemTexts[1]} and
     * {@code subscales[A]}, without the validator's own node names ({@code .<list element>},
     * {@code .<map value>}, {@code <K>}), which name nothing in the request.
     */
    public static String fieldOf(jakarta.validation.Path path) {
        // Built from the nodes, not by editing the path's text: a key may hold "]" or "<b>".
        StringBuilder sb = new StringBuilder();
        for (jakarta.validation.Path.Node node : path) {
            if (node.isInIterable()) {
                if (node.getIndex() != null) {
                    sb.append('[').append(node.getIndex()).append(']');
                } else if (node.getKey() != null) {
                    sb.append('[').append(key(node.getKey().toString())).append(']');
                }
            }
            String name = node.getName();
            if (name != null && !name.isEmpty() && !name.startsWith("<")) {
                sb.append(sb.isEmpty() ? "" : ".").append(name);
            }
        }
        return sb.toString();
    }

    /**
     * A map key an answer may name back: 1-64 letters, digits, spaces, '.', '_' or '-'. Also the
     * rule for the keys Rapport itself takes (an instrument's subscale names), so every key it
     * stores can be named in an answer.
     */
    public static final String PLAIN_KEY_PATTERN = "[A-Za-z0-9 ._-]{1,64}";

    /**
     * A key on the way to a value, named back only when it is a plain word, as every field of every
     * event is: anything else may be data, an object keyed by patient id holding the value.
     */
    public static String pathName(String name) {
        return plain(name) ? name : "?";
    }

    /** A map key is the caller's text: named back only when it is a short plain name. */
    public static String key(String key) {
        return key != null && PLAIN_KEY.matcher(key).matches() ? key : "?";
    }

    private static final Pattern PLAIN_KEY = Pattern.compile(PLAIN_KEY_PATTERN);

    /** At most {@link #MAX_LISTED} of them, in their order, then one saying how many more there were. */
    public static List<Violation> listed(List<Violation> all) {
        if (all == null || all.size() <= MAX_LISTED) {
            return all;
        }
        List<Violation> out = new ArrayList<>(all.subList(0, MAX_LISTED));
        out.add(new Violation("", "and " + (all.size() - MAX_LISTED) + " more broken rules, not listed"));
        return List.copyOf(out);
    }

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

package io.rapport.http;

import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** How much a client's Accept ranges want a media type (RFC 9110, 12.5.1). */
public final class Accept {

    private Accept() {}

    /**
     * The quality the ranges give {@code type}: that of the most specific range that matches it
     * (text/csv over text/&#42; over &#42;/&#42;), so "text/csv;q=0, &#42;/&#42;" refuses CSV however
     * broad the rest; 0 when none matches.
     */
    public static double quality(List<MediaType> acceptable, MediaType type) {
        int best = -1;
        double quality = 0;
        for (MediaType range : acceptable) {
            if (!range.isCompatible(type)) {
                continue;
            }
            int specificity = range.isWildcardType() ? 0 : range.isWildcardSubtype() ? 1 : 2;
            if (specificity > best) {
                best = specificity;
                quality = q(range);
            }
        }
        return quality;
    }

    /** The q parameter, 1 when absent or unreadable. */
    private static double q(MediaType range) {
        String q = range.getParameters().get("q");
        if (q == null) {
            return 1;
        }
        try {
            return Double.parseDouble(q.trim());
        } catch (NumberFormatException e) {
            return 1;
        }
    }
}

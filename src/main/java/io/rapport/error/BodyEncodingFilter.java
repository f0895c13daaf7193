package io.rapport.error;

import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import java.util.List;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses, with a 415 naming the header, a body sent compressed ({@code Content-Encoding: gzip}),
 * which the HTTP layer does not decompress: it was read as it came and answered "not well-formed
 * JSON at line 1, column 2", sending the platform to look for a syntax error its body did not
 * have. Only a request that sends a body to a method that reads one: an SDK that puts the header
 * on every request, a GET included, is not refused for it. Before the body is read, so nothing of
 * it is parsed or stored. (A declared charset is not checked: JSON is UTF-8, RFC 8259 gives the
 * parameter no meaning, and a body that is not UTF-8 is named as such when it is read.)
 */
class BodyEncodingFilter {

    static final String ENCODING_RULE = "must be identity or absent: a body is read as sent, never decompressed";

    private static final Set<String> READ_A_BODY = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH);

    @ServerRequestFilter
    void refuseCompressedBodies(ContainerRequestContext request) {
        if (!READ_A_BODY.contains(request.getMethod()) || !sendsABody(request)) {
            return;
        }
        for (String encoding : request.getHeaders().getOrDefault(HttpHeaders.CONTENT_ENCODING, List.of())) {
            for (String coding : encoding.split(",")) {
                if (!coding.isBlank() && !coding.trim().equalsIgnoreCase("identity")) {
                    throw ProblemException.unsupportedBody(
                            List.of(new Violation(HttpHeaders.CONTENT_ENCODING, ENCODING_RULE)));
                }
            }
        }
    }

    /** A body follows: a length above 0, or chunks (HTTP/1.1 frames a body no other way). */
    private static boolean sendsABody(ContainerRequestContext request) {
        if (request.getHeaderString("Transfer-Encoding") != null) {
            return true;
        }
        String length = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        try {
            return length != null && Long.parseLong(length.trim()) > 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}

package io.rapport.error;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses, with a 415 naming the header, a body Rapport would misread: one sent compressed
 * ({@code Content-Encoding: gzip}), which the HTTP layer does not decompress, and one declared in
 * a charset other than UTF-8, the only one JSON is exchanged in (RFC 8259, section 8.1). Both
 * were read as they came and answered "not well-formed JSON at line 1, column 2", sending the
 * platform to look for a syntax error in a body that had none. Before the body is read, so
 * nothing of it is parsed or stored.
 */
class BodyEncodingFilter {

    static final String ENCODING_RULE = "must be identity or absent: a body is read as sent, never decompressed";
    static final String CHARSET_RULE = "must declare charset UTF-8, or none: JSON is read as UTF-8";

    @ServerRequestFilter
    void refuseBodiesReadWrongly(ContainerRequestContext request) {
        if (!request.hasEntity()) {
            return;
        }
        List<Violation> violations = new ArrayList<>(2);
        for (String encoding : request.getHeaders().getOrDefault(HttpHeaders.CONTENT_ENCODING, List.of())) {
            for (String coding : encoding.split(",")) {
                if (!coding.isBlank() && !coding.trim().equalsIgnoreCase("identity")) {
                    violations.add(new Violation(HttpHeaders.CONTENT_ENCODING, ENCODING_RULE));
                }
            }
        }
        String charset = charset(request);
        if (charset != null && !charset.equalsIgnoreCase(StandardCharsets.UTF_8.name())) {
            violations.add(new Violation(HttpHeaders.CONTENT_TYPE, CHARSET_RULE));
        }
        if (!violations.isEmpty()) {
            throw ProblemException.unsupportedBody(
                    violations.stream().distinct().toList());
        }
    }

    /** The charset the body declares, or null; an unreadable Content-Type is the runtime's 415. */
    private static String charset(ContainerRequestContext request) {
        try {
            MediaType type = request.getMediaType();
            return type == null ? null : type.getParameters().get(MediaType.CHARSET_PARAMETER);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}

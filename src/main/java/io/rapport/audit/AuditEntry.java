package io.rapport.audit;

import java.time.Instant;
import java.util.List;

/**
 * One audited request. Holds no patient id, raw or pseudonymized, and no query values: the
 * route is the template ({@code /api/v1/clinics/{clinicId}/summary}), never the raw URL.
 */
public record AuditEntry(
        Instant at,
        String requestId,
        String subject,
        List<String> roles,
        List<String> clinics,
        String method,
        String route,
        int status,
        long records) {}

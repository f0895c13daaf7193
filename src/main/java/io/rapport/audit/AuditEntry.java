package io.rapport.audit;

import java.time.Instant;
import java.util.List;

/**
 * One audited request. Holds no patient id, raw or pseudonymized, and no query values: the
 * route is the template ({@code /api/v1/clinics/{clinicId}/summary}), never the raw URL.
 * {@code refusedClinics} are those a batch named in items outside the caller's scope, which were
 * refused while the rest of the batch was taken.
 */
public record AuditEntry(
        Instant at,
        String requestId,
        String subject,
        List<String> roles,
        List<String> clinics,
        List<String> refusedClinics,
        String method,
        String route,
        int status,
        long records) {}

package io.rapport.audit;

import java.util.List;

/** One page of the audit trail, newest first. */
public record AuditPage(int page, int size, long total, List<AuditEntry> items) {}

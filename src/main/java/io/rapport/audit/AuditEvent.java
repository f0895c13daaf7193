package io.rapport.audit;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import org.hibernate.annotations.Immutable;

/**
 * One audited request (migrations V5 and V20). {@link AuditTrail} appends it and {@link AuditStore} pages
 * through it, both in SQL; the database refuses updates and deletes. Mapped, read-only, so that
 * Hibernate validates the table against the Flyway schema at startup.
 */
@Entity
@Immutable
@Table(name = "audit_event")
public class AuditEvent {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public Instant at;

    @Column(name = "request_id")
    public String requestId;

    public String subject;

    public String[] roles;

    public String[] clinics;

    @Column(name = "refused_clinics")
    public String[] refusedClinics;

    public String method;

    /** The route's template, never its values. */
    public String route;

    public int status;

    public long records;
}

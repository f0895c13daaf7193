package io.rapport.trend;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import org.hibernate.annotations.Immutable;

/**
 * The per-visit row manager queries read: a view of {@code visit} and its generated columns
 * (migration V15; a table kept by trigger before it, V6). {@link TrendSql} reads it in SQL; the
 * entity is here so that Hibernate validates the view against the Flyway schema at startup, and a
 * drift between the two fails fast instead of in a manager's query.
 */
@Entity
@Immutable
@Table(name = "visit_fact")
@IdClass(VisitFact.Key.class)
public class VisitFact {

    public record Key(String clinicId, String visitId) implements Serializable {
        public Key() {
            this(null, null);
        }
    }

    @Id
    @Column(name = "clinic_id")
    public String clinicId;

    @Id
    @Column(name = "visit_id")
    public String visitId;

    @Column(name = "started_at")
    public Instant startedAt;

    @Column(name = "provider_id")
    public String providerId;

    @Column(name = "patient_pseudonym")
    public String patientPseudonym;

    public String modality;

    /** False for MESSAGING: no face-to-face time, and its latency is a reply time. */
    public boolean live;

    @Column(name = "face_to_face_share")
    public Double faceToFaceShare;

    @Column(name = "face_to_face_seconds")
    public Double faceToFaceSeconds;

    @Column(name = "documentation_seconds")
    public double documentationSeconds;

    @Column(name = "after_hours_documentation_seconds")
    public Double afterHoursDocumentationSeconds;

    @Column(name = "wait_seconds")
    public Double waitSeconds;

    @Column(name = "response_latency_seconds")
    public Double responseLatencySeconds;

    @Column(name = "message_reply_seconds")
    public Double messageReplySeconds;

    @Column(name = "patient_talk_share")
    public Double patientTalkShare;

    @Column(name = "connection_drops")
    public Double connectionDrops;
}

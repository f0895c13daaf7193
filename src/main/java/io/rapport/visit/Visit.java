package io.rapport.visit;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;

/** A stored visit. Written only by {@link VisitStore}; read through {@link VisitRepository}. */
@Entity
@Table(name = "visit")
@IdClass(Visit.Key.class)
public class Visit {

    /** Primary key: a visit id is unique within its clinic. */
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

    @Column(name = "provider_id")
    public String providerId;

    @Column(name = "patient_pseudonym")
    public String patientPseudonym;

    @Enumerated(EnumType.STRING)
    public Modality modality;

    @Column(name = "scheduled_start")
    public Instant scheduledStart;

    @Column(name = "started_at")
    public Instant startedAt;

    @Column(name = "ended_at")
    public Instant endedAt;

    @Column(name = "face_to_face_seconds")
    public int faceToFaceSeconds;

    @Column(name = "documentation_seconds")
    public int documentationSeconds;

    @Column(name = "after_hours_documentation_seconds")
    public Integer afterHoursDocumentationSeconds;

    @Column(name = "response_latency_seconds")
    public Double responseLatencySeconds;

    @Column(name = "patient_talk_share")
    public Double patientTalkShare;

    @Column(name = "connection_drops")
    public Integer connectionDrops;

    @Column(name = "recorded_at")
    public Instant recordedAt;

    @Column(name = "received_at")
    public Instant receivedAt;

    public int revision;
}

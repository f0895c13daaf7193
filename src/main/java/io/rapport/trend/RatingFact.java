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
 * A rating beside its visit's figures (migration V6), for the rating statistics, the provider
 * comparison and the drivers. Written only by the database's triggers on visit and rating; mapped
 * so that Hibernate validates the table against the Flyway schema at startup.
 */
@Entity
@Immutable
@Table(name = "rating_fact")
@IdClass(RatingFact.Key.class)
public class RatingFact {

    public record Key(String clinicId, String visitId, String instrument) implements Serializable {
        public Key() {
            this(null, null, null);
        }
    }

    @Id
    @Column(name = "clinic_id")
    public String clinicId;

    @Id
    @Column(name = "visit_id")
    public String visitId;

    @Id
    public String instrument;

    @Column(name = "started_at")
    public Instant startedAt;

    @Column(name = "provider_id")
    public String providerId;

    public String modality;

    /** Null while the rating is incomplete. */
    public Double total;

    /** The band the instrument definition put the total in. */
    public String category;

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

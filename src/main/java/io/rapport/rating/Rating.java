package io.rapport.rating;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.Map;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A stored rating. Written only by {@link RatingStore}; read through {@link RatingRepository}. */
@Entity
@Table(name = "rating")
@IdClass(Rating.Key.class)
public class Rating {

    /** One rating per visit and instrument. */
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

    /** Answers in item order; null for a missing one. */
    public Double[] items;

    public boolean complete;

    public Double total;

    public Double normalized;

    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Double> subscales;

    public String category;

    @Column(name = "submitted_at")
    public Instant submittedAt;

    @Column(name = "recorded_at")
    public Instant recordedAt;

    @Column(name = "received_at")
    public Instant receivedAt;

    public int revision;
}

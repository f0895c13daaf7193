package io.rapport.alert;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;

/**
 * An alliance alert. Raised, refreshed and resolved only by {@link AlertEvaluator} (native SQL,
 * so the id comes from the column's identity); acknowledged through {@link AlertRepository}.
 */
@Entity
@Table(name = "alert")
@IdClass(Alert.Key.class)
public class Alert {

    public record Key(String clinicId, Long id) implements Serializable {
        public Key() {
            this(null, null);
        }
    }

    @Id
    @Column(name = "clinic_id")
    public String clinicId;

    @Id
    public Long id;

    @Column(name = "visit_id")
    public String visitId;

    public String instrument;

    public String reason;

    @Column(name = "provider_id")
    public String providerId;

    public double total;

    @Column(name = "previous_total")
    public Double previousTotal;

    public Double cutoff;

    public String status;

    @Column(name = "raised_at")
    public Instant raisedAt;

    @Column(name = "acknowledged_at")
    public Instant acknowledgedAt;

    @Column(name = "acknowledged_by")
    public String acknowledgedBy;

    public String note;

    @Column(name = "resolved_at")
    public Instant resolvedAt;

    AlertView view() {
        return new AlertView(
                id,
                visitId,
                providerId,
                instrument,
                total,
                reason,
                previousTotal,
                cutoff,
                raisedAt,
                status,
                acknowledgedAt,
                acknowledgedBy,
                note,
                resolvedAt);
    }
}

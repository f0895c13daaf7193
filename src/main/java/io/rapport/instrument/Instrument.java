package io.rapport.instrument;

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

/** A clinic's own instrument. Written only by {@link InstrumentRegistry}. */
@Entity
@Table(name = "instrument")
@IdClass(Instrument.Key.class)
public class Instrument {

    /** A code is unique within its clinic. */
    public record Key(String clinicId, String code) implements Serializable {
        public Key() {
            this(null, null);
        }
    }

    @Id
    @Column(name = "clinic_id")
    public String clinicId;

    @Id
    public String code;

    public int version;

    /** The definition as posted, in the shape of {@link InstrumentDefinition}. */
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> definition;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "updated_at")
    public Instant updatedAt;
}

package io.rapport.trend;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import org.hibernate.annotations.Immutable;

/**
 * One backend's count of writes to one clinic (migration V12), which {@link AnswerCache} reads as
 * the clinic's data version. Only the database's triggers and {@link DataVersionFold} write it;
 * mapped, read-only, so that Hibernate validates the table against the Flyway schema at startup.
 */
@Entity
@Immutable
@Table(name = "clinic_data_version")
@IdClass(ClinicDataVersion.Key.class)
public class ClinicDataVersion {

    public record Key(String clinicId, int backend) implements Serializable {
        public Key() {
            this(null, 0);
        }
    }

    @Id
    @Column(name = "clinic_id")
    public String clinicId;

    /** The writing backend's process id; 0 holds the folded counts of backends that have ended. */
    @Id
    public int backend;

    public long version;

    /** The exclusive or of the writes' random stamps. */
    public long stamp;
}

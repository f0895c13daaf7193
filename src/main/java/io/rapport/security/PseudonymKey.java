package io.rapport.security;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * A key that has made pseudonyms here (migration V4). {@link StoredPseudonymKeys} reads and writes
 * it in SQL before Rapport serves; the entity is here so that Hibernate validates the table
 * against the Flyway schema at startup, like every other table.
 */
@Entity
@Table(name = "pseudonym_key")
public class PseudonymKey {

    @Id
    @Column(name = "key_id")
    public String keyId;

    /** An HMAC of a fixed text under the key, or {@code unknown} for data made before key ids. */
    public String fingerprint;

    @Column(name = "first_used")
    public Instant firstUsed;
}

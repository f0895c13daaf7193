package io.rapport.security;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * After a key rotation, moves a returning patient's visits from their former pseudonyms to the one
 * under the active key, so continuity of care still sees one patient. Rapport never holds patient
 * ids, so this can only happen when the patient comes back: the ingest of their next event does
 * it, in one statement per batch. Patients who never return keep their former pseudonym, which is
 * why former keys must stay configured.
 */
@ApplicationScoped
public class PatientRekeying {

    /**
     * Moves the visits and notes the (clinic, patient, provider) sequences they join and leave in
     * the transaction-local setting V9 keeps for the sequences corrected visits left, which alert
     * evaluation reads: a patient's visits stored under two keys (a rotation rolling out while one
     * pod still used the former key) make two sequences, and moving them makes one, whose alerts
     * must be worked out again. Re-keying keeps each visit's revision, so V9's trigger leaves it out.
     */
    private static final String MOVE = """
            WITH moved AS (
                UPDATE visit v SET patient_pseudonym = m.current
                FROM unnest(?::text[], ?::text[], ?::text[]) AS m(clinic_id, former, current)
                WHERE v.clinic_id = m.clinic_id AND v.patient_pseudonym = m.former
                RETURNING v.clinic_id, v.patient_pseudonym, v.provider_id, m.former
            ), sequences AS (
                -- The one the visits join, and the one they leave: a pod still on the former key
                -- may have rated a visit of it while this transaction had yet to take its locks.
                SELECT clinic_id, patient_pseudonym, provider_id FROM moved
                UNION
                SELECT clinic_id, former, provider_id FROM moved
            )
            SELECT (SELECT count(*) FROM moved) AS moved, set_config('rapport.moved_sequences',
                (COALESCE(NULLIF(current_setting('rapport.moved_sequences', true), ''), '[]')::jsonb
                 || COALESCE((SELECT jsonb_agg(jsonb_build_array(clinic_id, patient_pseudonym, provider_id))
                              FROM sequences), '[]'))::text,
                true)
            """;

    /**
     * A patient seen in a clinic: the raw id only ever held in memory, never stored, beside the
     * pseudonym ingest already made for it under the active key.
     */
    public record Patient(String clinicId, String patientId, String pseudonym) {}

    private final Pseudonymizer pseudonymizer;
    private final AgroalDataSource dataSource;

    PatientRekeying(Pseudonymizer pseudonymizer, AgroalDataSource dataSource) {
        this.pseudonymizer = pseudonymizer;
        this.dataSource = dataSource;
    }

    /**
     * Moves these patients' visits under former keys to the active key; nothing to do without a
     * rotation. True when a visit moved: the caller then has the sequences it joined evaluated
     * ({@link PatientsRekeyed}).
     */
    public boolean rekey(List<Patient> patients) {
        if (!pseudonymizer.rotated() || patients.isEmpty()) {
            return false;
        }
        List<String> clinics = new ArrayList<>();
        List<String> former = new ArrayList<>();
        List<String> current = new ArrayList<>();
        for (Patient p : patients) {
            for (String old : pseudonymizer.formerPseudonyms(p.patientId())) {
                clinics.add(p.clinicId());
                former.add(old);
                current.add(p.pseudonym());
            }
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(MOVE)) {
            ps.setArray(1, c.createArrayOf("text", clinics.toArray()));
            ps.setArray(2, c.createArrayOf("text", former.toArray()));
            ps.setArray(3, c.createArrayOf("text", current.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong("moved") > 0;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Moving patients to the active pseudonym key failed", e);
        }
    }
}

-- One row per telehealth visit. Keys lead with clinic_id so the table can later be distributed by
-- clinic (Citus) without a rewrite. The patient is stored only as an HMAC pseudonym.
CREATE TABLE visit (
    clinic_id                          varchar(128)     NOT NULL,
    visit_id                           varchar(128)     NOT NULL,
    provider_id                        varchar(128)     NOT NULL,
    patient_pseudonym                  varchar(64)      NOT NULL,
    modality                           varchar(16)      NOT NULL
        CHECK (modality IN ('VIDEO', 'PHONE', 'IN_PERSON', 'MESSAGING')),
    scheduled_start                    timestamptz,
    started_at                         timestamptz      NOT NULL,
    ended_at                           timestamptz      NOT NULL,
    face_to_face_seconds               integer          NOT NULL CHECK (face_to_face_seconds >= 0),
    documentation_seconds              integer          NOT NULL CHECK (documentation_seconds BETWEEN 0 AND 86400),
    after_hours_documentation_seconds  integer          CHECK (after_hours_documentation_seconds >= 0),
    response_latency_seconds           double precision CHECK (response_latency_seconds BETWEEN 0 AND 604800),
    patient_talk_share                 double precision CHECK (patient_talk_share BETWEEN 0 AND 1),
    connection_drops                   integer          CHECK (connection_drops BETWEEN 0 AND 1000),
    recorded_at                        timestamptz      NOT NULL,
    received_at                        timestamptz      NOT NULL,
    revision                           integer          NOT NULL DEFAULT 1,
    CONSTRAINT visit_pk PRIMARY KEY (clinic_id, visit_id),
    CONSTRAINT visit_ended_after_started CHECK (ended_at >= started_at)
);

-- Trend queries scan one clinic's visits by start time; continuity walks a patient's visits in order.
CREATE INDEX visit_clinic_started_idx ON visit (clinic_id, started_at);
CREATE INDEX visit_clinic_patient_idx ON visit (clinic_id, patient_pseudonym, started_at);

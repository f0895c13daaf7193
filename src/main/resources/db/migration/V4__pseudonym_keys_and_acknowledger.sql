-- Pseudonyms now carry the id of the key that made them ("<key id>:<64 hex>"), so a key can be
-- rotated: stored data says which key made each pseudonym. Rows made before were made with the
-- single key, known as "default".
DROP VIEW visit_facts;
ALTER TABLE visit ALTER COLUMN patient_pseudonym TYPE varchar(100);
UPDATE visit SET patient_pseudonym = 'default:' || patient_pseudonym
WHERE position(':' IN patient_pseudonym) = 0;

CREATE VIEW visit_facts AS
SELECT clinic_id,
       visit_id,
       provider_id,
       patient_pseudonym,
       modality,
       started_at,
       face_to_face_seconds::float8              AS face_to_face_seconds,
       documentation_seconds::float8             AS documentation_seconds,
       after_hours_documentation_seconds::float8 AS after_hours_documentation_seconds,
       response_latency_seconds,
       patient_talk_share,
       connection_drops::float8                  AS connection_drops,
       CASE WHEN face_to_face_seconds + documentation_seconds > 0
            THEN face_to_face_seconds::float8 / (face_to_face_seconds + documentation_seconds)
       END                                       AS face_to_face_share,
       CASE WHEN scheduled_start IS NOT NULL
            THEN GREATEST(0, extract(epoch FROM started_at - scheduled_start))::float8
       END                                       AS wait_seconds
FROM visit;

-- Every key that has ever made pseudonyms here, by id, with a fingerprint (an HMAC of a fixed
-- text, which reveals nothing of the key). A start whose keys do not match is refused, so a
-- database filled under the dev key, or under a lost key, is never mixed with new pseudonyms.
CREATE TABLE pseudonym_key (
    key_id       varchar(32) NOT NULL,
    fingerprint  varchar(64) NOT NULL,
    first_used   timestamptz NOT NULL,
    CONSTRAINT pseudonym_key_pk PRIMARY KEY (key_id)
);
INSERT INTO pseudonym_key (key_id, fingerprint, first_used)
SELECT 'default', 'unknown', now() WHERE EXISTS (SELECT 1 FROM visit);

-- Who acknowledged an alert: the token's subject.
ALTER TABLE alert ADD COLUMN acknowledged_by varchar(255);

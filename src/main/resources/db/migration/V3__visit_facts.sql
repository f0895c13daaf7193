-- The per-visit figures trends are computed from, derived in one place. The Java side
-- (io.rapport.visit.VisitDerived) computes the same two derived values for API responses.
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

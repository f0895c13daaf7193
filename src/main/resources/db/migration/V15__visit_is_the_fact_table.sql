-- visit_fact (V6) held a second copy of every visit, written by a trigger in the transaction that
-- wrote the visit, with its own heap row, primary key and covering window index. Ingest paid for
-- all of it: in psql, a COPY of 1,000 new visits into visit took 15.0-17.2 ms with that trigger
-- and 10.3-12.2 ms with this migration (PostgreSQL 15, a database of 87,500 visits, six batches
-- each, alternating), the upsert 19.6-23.5 ms against 15.9-18.8.
--
-- The derived values become stored generated columns of visit, the window index moves to visit
-- (it covers every column a manager query reads, so a window is still one index-only range scan),
-- and visit_fact becomes a view of visit under the names and types the table had, so every query,
-- function and the VisitFact entity read it as before. A visit deleted by hand no longer leaves a
-- fact row behind.
--
-- The ids the queries sort by keep the byte order they had (COLLATE "C" in the view); clinic_id and
-- visit_id keep visit's own collation, since a comparison in another collation could not use
-- visit's keys (rating_fact_rows joins the view by them).
--
-- Adding stored columns rewrites visit (and rebuilds its indexes) under an exclusive lock, in this
-- migration's transaction, and dropping visit_fact locks it too: ingest and the manager answers of
-- pods still running wait while it runs (0.3 s for 87,500 visits in psql on this machine, and
-- 0.09 s for the new index; about 3.5 s and 1 s a million). The server's 15 s statement_timeout is
-- lifted for this transaction, as V10 did, but the driver's socketTimeout (20 s) still bounds each
-- statement: a database of more than a few million visits should be migrated by hand in a
-- maintenance window (README, "How the numbers are defined").
SET LOCAL statement_timeout = 0;

DROP TRIGGER visit_fact_on_visit_insert ON visit;
DROP TRIGGER visit_fact_on_visit_update ON visit;
DROP FUNCTION visit_fact_from_visits();
DROP TABLE visit_fact;

-- As V6 defined them (README, "How the numbers are defined"): MESSAGING visits have no
-- face-to-face time by nature, and their latency is a reply time, not a turn-taking gap.
ALTER TABLE visit
    ADD COLUMN fact_live boolean GENERATED ALWAYS AS (modality <> 'MESSAGING') STORED,
    ADD COLUMN fact_face_to_face_share double precision GENERATED ALWAYS AS (
        CASE WHEN modality <> 'MESSAGING' AND face_to_face_seconds + documentation_seconds > 0
             THEN face_to_face_seconds::float8 / (face_to_face_seconds + documentation_seconds) END) STORED,
    ADD COLUMN fact_face_to_face_seconds double precision GENERATED ALWAYS AS (
        CASE WHEN modality <> 'MESSAGING' THEN face_to_face_seconds::float8 END) STORED,
    ADD COLUMN fact_wait_seconds double precision GENERATED ALWAYS AS (
        CASE WHEN scheduled_start IS NOT NULL
             THEN GREATEST(0, extract(epoch FROM started_at - scheduled_start))::float8 END) STORED,
    ADD COLUMN fact_response_latency_seconds double precision GENERATED ALWAYS AS (
        CASE WHEN modality <> 'MESSAGING' THEN response_latency_seconds END) STORED,
    ADD COLUMN fact_message_reply_seconds double precision GENERATED ALWAYS AS (
        CASE WHEN modality = 'MESSAGING' THEN response_latency_seconds END) STORED;

-- Every manager query is "one clinic, started in [from, to)". The index it replaces had the same
-- two keys and served the same lookups.
CREATE INDEX visit_window_idx ON visit (clinic_id, started_at)
    INCLUDE (visit_id, provider_id, patient_pseudonym, modality, fact_live, fact_face_to_face_share,
             fact_face_to_face_seconds, documentation_seconds, after_hours_documentation_seconds,
             fact_wait_seconds, fact_response_latency_seconds, fact_message_reply_seconds,
             patient_talk_share, connection_drops);
DROP INDEX IF EXISTS visit_clinic_started_idx;

-- Insert-heavy: have autovacuum set the visibility map early, so index-only scans stay index-only.
ALTER TABLE visit SET (autovacuum_vacuum_insert_scale_factor = 0.02, autovacuum_vacuum_scale_factor = 0.05);

CREATE VIEW visit_fact AS
SELECT clinic_id,
       visit_id,
       started_at,
       provider_id COLLATE "C" AS provider_id,
       patient_pseudonym COLLATE "C" AS patient_pseudonym,
       modality COLLATE "C" AS modality,
       fact_live AS live,
       fact_face_to_face_share AS face_to_face_share,
       fact_face_to_face_seconds AS face_to_face_seconds,
       documentation_seconds::float8 AS documentation_seconds,
       after_hours_documentation_seconds::float8 AS after_hours_documentation_seconds,
       fact_wait_seconds AS wait_seconds,
       fact_response_latency_seconds AS response_latency_seconds,
       fact_message_reply_seconds AS message_reply_seconds,
       patient_talk_share,
       connection_drops::float8 AS connection_drops
FROM visit;

-- What visit_fact's trigger did besides writing visit_fact: ratings that arrived before their
-- visit, and ratings of a corrected visit, get their rating_fact rows. rating's own triggers call
-- the same function (V7): it reads only the changed rows' clinic_id and visit_id, which both tables
-- have, and PL/pgSQL compiles it once for each table it fires on.
CREATE TRIGGER rating_fact_on_visit_insert AFTER INSERT ON visit
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION rating_fact_from_ratings();
CREATE TRIGGER rating_fact_on_visit_update AFTER UPDATE ON visit
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION rating_fact_from_ratings();

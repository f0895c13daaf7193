-- The narrow per-visit table every manager query reads, kept by the ingest transaction itself.
--
-- Why a table and not the visit_facts view: a view recomputes the derived values on every read and
-- reads the wide visit rows, scattered over the heap in arrival order. Here the derived values are
-- computed once, when a visit or one of its ratings is written, and the covering index below
-- holds a clinic's window as one contiguous range that an index-only scan reads without touching
-- other clinics' rows, so a query's cost follows the window, not the size of the table.
--
-- Definitions (README, "How the numbers are defined"):
--   * MESSAGING visits have no face-to-face time by nature, so their face-to-face share and seconds
--     are NULL here, and their documentation is left out of the documentation ratio.
--   * response_latency_seconds holds live turn-taking gaps only (VIDEO, PHONE, IN_PERSON); a
--     MESSAGING visit's latency is a reply time in hours and goes to message_reply_seconds.
--   * totals: instrument code -> the rating's total (JSON null while the rating is incomplete);
--     categories: instrument code -> the band the instrument definition put the total in.
CREATE TABLE visit_fact (
    clinic_id                          varchar(128)     NOT NULL,
    visit_id                           varchar(128)     NOT NULL,
    started_at                         timestamptz      NOT NULL,
    provider_id                        varchar(128)     NOT NULL,
    patient_pseudonym                  varchar(100)     NOT NULL,
    modality                           varchar(16)      NOT NULL,
    live                               boolean          NOT NULL,
    face_to_face_share                 double precision,
    face_to_face_seconds               double precision,
    documentation_seconds              double precision NOT NULL,
    after_hours_documentation_seconds  double precision,
    wait_seconds                       double precision,
    response_latency_seconds           double precision,
    message_reply_seconds              double precision,
    patient_talk_share                 double precision,
    connection_drops                   double precision,
    totals                             jsonb            NOT NULL DEFAULT '{}',
    categories                         jsonb            NOT NULL DEFAULT '{}',
    CONSTRAINT visit_fact_pk PRIMARY KEY (clinic_id, visit_id)
);

-- Every manager query is "one clinic, started in [from, to)": with every column included, that is
-- an index-only range scan once autovacuum has marked the pages all-visible.
CREATE INDEX visit_fact_window_idx ON visit_fact (clinic_id, started_at)
    INCLUDE (visit_id, provider_id, patient_pseudonym, modality, live, face_to_face_share,
             face_to_face_seconds, documentation_seconds, after_hours_documentation_seconds,
             wait_seconds, response_latency_seconds, message_reply_seconds, patient_talk_share,
             connection_drops, totals, categories);

-- Insert-heavy: have autovacuum set the visibility map early, so index-only scans stay index-only.
ALTER TABLE visit_fact SET (autovacuum_vacuum_insert_scale_factor = 0.02, autovacuum_vacuum_scale_factor = 0.05);

-- The ratings of the given visits, as the two maps visit_fact keeps.
CREATE FUNCTION visit_fact_ratings(p_clinic varchar, p_visit varchar, OUT totals jsonb, OUT categories jsonb)
    LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_object_agg(r.instrument, r.total), '{}'),
           coalesce(jsonb_object_agg(r.instrument, r.category) FILTER (WHERE r.category IS NOT NULL), '{}')
    FROM rating r
    WHERE r.clinic_id = p_clinic AND r.visit_id = p_visit
$$;

-- Visits written by one statement (a batch upsert, a COPY): their fact rows, in the same transaction.
CREATE FUNCTION visit_fact_from_visits() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO visit_fact AS f (clinic_id, visit_id, started_at, provider_id, patient_pseudonym, modality,
        live, face_to_face_share, face_to_face_seconds, documentation_seconds,
        after_hours_documentation_seconds, wait_seconds, response_latency_seconds, message_reply_seconds,
        patient_talk_share, connection_drops, totals, categories)
    SELECT v.clinic_id, v.visit_id, v.started_at, v.provider_id, v.patient_pseudonym, v.modality,
        v.modality <> 'MESSAGING',
        CASE WHEN v.modality <> 'MESSAGING' AND v.face_to_face_seconds + v.documentation_seconds > 0
             THEN v.face_to_face_seconds::float8 / (v.face_to_face_seconds + v.documentation_seconds) END,
        CASE WHEN v.modality <> 'MESSAGING' THEN v.face_to_face_seconds::float8 END,
        v.documentation_seconds,
        v.after_hours_documentation_seconds,
        CASE WHEN v.scheduled_start IS NOT NULL
             THEN GREATEST(0, extract(epoch FROM v.started_at - v.scheduled_start))::float8 END,
        CASE WHEN v.modality <> 'MESSAGING' THEN v.response_latency_seconds END,
        CASE WHEN v.modality = 'MESSAGING' THEN v.response_latency_seconds END,
        v.patient_talk_share,
        v.connection_drops,
        r.totals,
        r.categories
    FROM changed v
    CROSS JOIN LATERAL visit_fact_ratings(v.clinic_id, v.visit_id) r
    -- Key order, as the visit upsert takes its row locks, so concurrent writers cannot deadlock here.
    ORDER BY v.clinic_id, v.visit_id
    ON CONFLICT (clinic_id, visit_id) DO UPDATE SET
        started_at = EXCLUDED.started_at,
        provider_id = EXCLUDED.provider_id,
        patient_pseudonym = EXCLUDED.patient_pseudonym,
        modality = EXCLUDED.modality,
        live = EXCLUDED.live,
        face_to_face_share = EXCLUDED.face_to_face_share,
        face_to_face_seconds = EXCLUDED.face_to_face_seconds,
        documentation_seconds = EXCLUDED.documentation_seconds,
        after_hours_documentation_seconds = EXCLUDED.after_hours_documentation_seconds,
        wait_seconds = EXCLUDED.wait_seconds,
        response_latency_seconds = EXCLUDED.response_latency_seconds,
        message_reply_seconds = EXCLUDED.message_reply_seconds,
        patient_talk_share = EXCLUDED.patient_talk_share,
        connection_drops = EXCLUDED.connection_drops,
        totals = EXCLUDED.totals,
        categories = EXCLUDED.categories;
    RETURN NULL;
END
$$;

-- Ratings written by one statement: the maps of their visits' fact rows. A rating whose visit has
-- not arrived yet has no fact row to touch; the visit's own trigger reads it when the visit comes.
CREATE FUNCTION visit_fact_from_ratings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH touched AS (
        SELECT DISTINCT clinic_id, visit_id FROM changed
    ), locked AS (
        SELECT f.clinic_id, f.visit_id
        FROM visit_fact f JOIN touched t USING (clinic_id, visit_id)
        ORDER BY f.clinic_id, f.visit_id
        FOR UPDATE OF f
    )
    UPDATE visit_fact f
    SET totals = r.totals, categories = r.categories
    FROM locked l CROSS JOIN LATERAL visit_fact_ratings(l.clinic_id, l.visit_id) r
    WHERE f.clinic_id = l.clinic_id AND f.visit_id = l.visit_id;
    RETURN NULL;
END
$$;

-- One trigger per event: PostgreSQL allows a transition table only on a single-event trigger.
-- An INSERT ... ON CONFLICT DO UPDATE fires both, each with its own rows.
CREATE TRIGGER visit_fact_on_visit_insert AFTER INSERT ON visit
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION visit_fact_from_visits();
CREATE TRIGGER visit_fact_on_visit_update AFTER UPDATE ON visit
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION visit_fact_from_visits();
CREATE TRIGGER visit_fact_on_rating_insert AFTER INSERT ON rating
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION visit_fact_from_ratings();
CREATE TRIGGER visit_fact_on_rating_update AFTER UPDATE ON rating
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION visit_fact_from_ratings();

-- Backfill the visits that exist already through the same trigger: a no-op update of every visit.
UPDATE visit SET revision = revision;

-- Replaced by visit_fact: one home for the derived values.
DROP VIEW visit_facts;

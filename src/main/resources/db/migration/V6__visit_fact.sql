-- The narrow tables every manager query reads, kept by the writing transaction itself.
--
-- Why tables and not the visit_facts view: a view recomputes the derived values on every read and
-- reads the wide visit rows, scattered over the heap in arrival order, and joins ratings to them.
-- Here the derived values are computed once, when a visit or a rating is written, and each table's
-- covering index holds a clinic's window as one contiguous range that an index-only scan reads
-- without touching other clinics' rows, so a query's cost follows the window, not the table.
--
-- Definitions (README, "How the numbers are defined"):
--   * Ids are compared byte by byte (COLLATE "C"): queries sort by them (continuity walks each
--     patient's visits, percentiles group by provider), and the database's own collation would
--     make each comparison a locale lookup, for an order nobody reads.
--   * MESSAGING visits have no face-to-face time by nature, so their face-to-face share and seconds
--     are NULL here, and their documentation is left out of the documentation ratio.
--   * response_latency_seconds holds live turn-taking gaps only (VIDEO, PHONE, IN_PERSON); a
--     MESSAGING visit's latency is a reply time in hours and goes to message_reply_seconds.

-- One row per visit.
CREATE TABLE visit_fact (
    clinic_id                          varchar(128) COLLATE "C" NOT NULL,
    visit_id                           varchar(128) COLLATE "C" NOT NULL,
    started_at                         timestamptz      NOT NULL,
    provider_id                        varchar(128) COLLATE "C" NOT NULL,
    patient_pseudonym                  varchar(100) COLLATE "C" NOT NULL,
    modality                           varchar(16) COLLATE "C" NOT NULL,
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
    CONSTRAINT visit_fact_pk PRIMARY KEY (clinic_id, visit_id)
);

-- Every manager query is "one clinic, started in [from, to)": with every column included, that is
-- an index-only range scan once autovacuum has marked the pages all-visible.
CREATE INDEX visit_fact_window_idx ON visit_fact (clinic_id, started_at)
    INCLUDE (visit_id, provider_id, patient_pseudonym, modality, live, face_to_face_share,
             face_to_face_seconds, documentation_seconds, after_hours_documentation_seconds,
             wait_seconds, response_latency_seconds, message_reply_seconds, patient_talk_share,
             connection_drops);

-- One row per rating whose visit is there: the visit's figures beside the rating's total, so the
-- rating statistics, the provider comparison and the drivers read one range per instrument.
-- total is NULL while the rating is incomplete.
CREATE TABLE rating_fact (
    clinic_id                          varchar(128) COLLATE "C" NOT NULL,
    visit_id                           varchar(128) COLLATE "C" NOT NULL,
    instrument                         varchar(32) COLLATE "C" NOT NULL,
    started_at                         timestamptz      NOT NULL,
    provider_id                        varchar(128) COLLATE "C" NOT NULL,
    modality                           varchar(16) COLLATE "C" NOT NULL,
    total                              double precision,
    category                           varchar(64),
    face_to_face_share                 double precision,
    face_to_face_seconds               double precision,
    documentation_seconds              double precision NOT NULL,
    after_hours_documentation_seconds  double precision,
    wait_seconds                       double precision,
    response_latency_seconds           double precision,
    message_reply_seconds              double precision,
    patient_talk_share                 double precision,
    connection_drops                   double precision,
    CONSTRAINT rating_fact_pk PRIMARY KEY (clinic_id, visit_id, instrument)
);

CREATE INDEX rating_fact_window_idx ON rating_fact (clinic_id, instrument, started_at)
    INCLUDE (visit_id, provider_id, modality, total, category, face_to_face_share, face_to_face_seconds,
             documentation_seconds, after_hours_documentation_seconds, wait_seconds,
             response_latency_seconds, message_reply_seconds, patient_talk_share, connection_drops);

-- Insert-heavy: have autovacuum set the visibility map early, so index-only scans stay index-only.
ALTER TABLE visit_fact SET (autovacuum_vacuum_insert_scale_factor = 0.02, autovacuum_vacuum_scale_factor = 0.05);
ALTER TABLE rating_fact SET (autovacuum_vacuum_insert_scale_factor = 0.02, autovacuum_vacuum_scale_factor = 0.05);

-- The rating_fact rows of these visits, from their ratings and fact rows as they stand: the one
-- place both triggers below write rating_fact from. Key order, so concurrent writers lock alike.
CREATE FUNCTION rating_fact_refresh(p_clinics varchar[], p_visits varchar[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO rating_fact AS rf (clinic_id, visit_id, instrument, started_at, provider_id, modality, total,
        category, face_to_face_share, face_to_face_seconds, documentation_seconds,
        after_hours_documentation_seconds, wait_seconds, response_latency_seconds, message_reply_seconds,
        patient_talk_share, connection_drops)
    SELECT r.clinic_id, r.visit_id, r.instrument, f.started_at, f.provider_id, f.modality, r.total, r.category,
        f.face_to_face_share, f.face_to_face_seconds, f.documentation_seconds,
        f.after_hours_documentation_seconds, f.wait_seconds, f.response_latency_seconds,
        f.message_reply_seconds, f.patient_talk_share, f.connection_drops
    FROM (SELECT DISTINCT * FROM unnest(p_clinics, p_visits)) AS k (clinic_id, visit_id)
    JOIN visit_fact f ON f.clinic_id = k.clinic_id AND f.visit_id = k.visit_id
    JOIN rating r ON r.clinic_id = k.clinic_id AND r.visit_id = k.visit_id
    ORDER BY r.clinic_id, r.visit_id, r.instrument
    ON CONFLICT (clinic_id, visit_id, instrument) DO UPDATE SET
        started_at = EXCLUDED.started_at,
        provider_id = EXCLUDED.provider_id,
        modality = EXCLUDED.modality,
        total = EXCLUDED.total,
        category = EXCLUDED.category,
        face_to_face_share = EXCLUDED.face_to_face_share,
        face_to_face_seconds = EXCLUDED.face_to_face_seconds,
        documentation_seconds = EXCLUDED.documentation_seconds,
        after_hours_documentation_seconds = EXCLUDED.after_hours_documentation_seconds,
        wait_seconds = EXCLUDED.wait_seconds,
        response_latency_seconds = EXCLUDED.response_latency_seconds,
        message_reply_seconds = EXCLUDED.message_reply_seconds,
        patient_talk_share = EXCLUDED.patient_talk_share,
        connection_drops = EXCLUDED.connection_drops
$$;

-- Visits written by one statement (a batch upsert, a COPY, a re-keying): their fact rows and their
-- ratings' fact rows.
CREATE FUNCTION visit_fact_from_visits() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO visit_fact AS f (clinic_id, visit_id, started_at, provider_id, patient_pseudonym, modality,
        live, face_to_face_share, face_to_face_seconds, documentation_seconds,
        after_hours_documentation_seconds, wait_seconds, response_latency_seconds, message_reply_seconds,
        patient_talk_share, connection_drops)
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
        v.connection_drops
    FROM changed v
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
        connection_drops = EXCLUDED.connection_drops;

    -- Ratings that arrived before their visit, and ratings of a corrected visit.
    PERFORM rating_fact_refresh(array_agg(clinic_id), array_agg(visit_id)) FROM changed;
    RETURN NULL;
END
$$;

-- Ratings written by one statement: their fact rows, beside their visits' figures. A rating whose
-- visit has not arrived yet gets none; the visit's trigger writes it when the visit comes.
CREATE FUNCTION rating_fact_from_ratings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM rating_fact_refresh(array_agg(clinic_id), array_agg(visit_id)) FROM changed;
    RETURN NULL;
END
$$;

-- One trigger per event: PostgreSQL allows a transition table only on a single-event trigger.
-- An INSERT ... ON CONFLICT DO UPDATE fires both, each with its own rows.
CREATE TRIGGER visit_fact_on_visit_insert AFTER INSERT ON visit
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION visit_fact_from_visits();
CREATE TRIGGER visit_fact_on_visit_update AFTER UPDATE ON visit
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION visit_fact_from_visits();
CREATE TRIGGER rating_fact_on_rating_insert AFTER INSERT ON rating
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION rating_fact_from_ratings();
CREATE TRIGGER rating_fact_on_rating_update AFTER UPDATE ON rating
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION rating_fact_from_ratings();

-- Backfill the visits (and with them their ratings) that exist already, through the same trigger:
-- a no-op update of every visit.
UPDATE visit SET revision = revision;

-- Replaced by visit_fact: one home for the derived values.
DROP VIEW visit_facts;

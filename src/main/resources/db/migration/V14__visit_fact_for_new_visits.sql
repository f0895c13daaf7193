-- The visit_fact rows of visits a statement inserted (a batch's new visits, the common case in a
-- backfill) go in by a plain INSERT, without V7's sort and ON CONFLICT, and the rating_fact refresh
-- runs only for those of them that already have ratings. Same rows as before.
--
-- Why it holds: visit_fact is written only by these triggers, one row per visit, and the service
-- never deletes a visit; a visit deleted by hand (or truncated) now takes its fact rows with it
-- (the triggers at the end), so a visit the statement inserted has no visit_fact row yet. Two writers of one
-- new visit cannot both insert it: the second waits on the visit's key and then takes the ON
-- CONFLICT path of its upsert, so the visit is in its UPDATE transition table, not this one. The
-- sort was there so concurrent writers lock existing rows in one order; new keys have no holder.
-- A rating that arrives while its visit is being inserted is not visible here either way; V9's
-- repair under the visit lock writes its row, as before.
--
-- Measured with psql on PostgreSQL 15, batches of 1,000 new visits into a database of 90,000,
-- six batches each, two alternating runs: the upsert with its triggers took 18.5-21.6 ms against
-- 19.5-23.3 ms with V7's function, and a COPY into visit with its triggers 13.0-16.1 against
-- 15.1-17.4 ms. Updates (corrections, and re-keying) keep V7's function and its lock order.
--
-- The derived values below are V7's visit_fact_from_visits(), expression for expression: a change
-- to how a figure is derived replaces both functions. (One shared definition, a function of the
-- visit row, was not tried: it would have to be inlined to cost nothing per visit.)

CREATE FUNCTION visit_fact_from_new_visits() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM changed) THEN
        RETURN NULL;
    END IF;
    INSERT INTO visit_fact (clinic_id, visit_id, started_at, provider_id, patient_pseudonym, modality,
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
    FROM changed v;

    -- Ratings that arrived before their visit. One key lookup per visit (LATERAL ... LIMIT 1), as
    -- every ingest lookup is, never a join or semi-join the planner may turn into a hash of the
    -- rating table: with a WHERE EXISTS here, the ingest benchmark's single posts (after 100,000
    -- ratings) fell 7 to 10 s behind at 500/s in four runs of four; with this form, 44 and 62 ms
    -- (p50), as before V14. Which plan did it was not looked at.
    PERFORM rating_fact_refresh(array_agg(v.clinic_id), array_agg(v.visit_id))
    FROM changed v
    CROSS JOIN LATERAL (
        SELECT 1 FROM rating r WHERE r.clinic_id = v.clinic_id AND r.visit_id = v.visit_id LIMIT 1) AS rated;
    RETURN NULL;
END
$$;

DROP TRIGGER visit_fact_on_visit_insert ON visit;
CREATE TRIGGER visit_fact_on_visit_insert AFTER INSERT ON visit
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION visit_fact_from_new_visits();

-- A visit deleted or truncated by hand takes its fact rows with it: they would otherwise go on
-- counting in every manager answer, and the plain INSERT above would refuse the visit posted again.
CREATE FUNCTION visit_fact_of_deleted_visits() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM rating_fact f USING gone g WHERE f.clinic_id = g.clinic_id AND f.visit_id = g.visit_id;
    DELETE FROM visit_fact f USING gone g WHERE f.clinic_id = g.clinic_id AND f.visit_id = g.visit_id;
    RETURN NULL;
END
$$;

CREATE TRIGGER visit_fact_on_visit_delete AFTER DELETE ON visit
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION visit_fact_of_deleted_visits();

CREATE FUNCTION visit_fact_of_truncated_visits() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE visit_fact, rating_fact;
    RETURN NULL;
END
$$;

CREATE TRIGGER visit_fact_on_visit_truncate AFTER TRUNCATE ON visit
    FOR EACH STATEMENT EXECUTE FUNCTION visit_fact_of_truncated_visits();

-- Two races between writes of one visit that overlap, closed (InterleavedWritesTest forces both).
--
-- 1. The sequence a corrected visit left. The visit upsert read a visit's old patient and provider
--    from its statement snapshot. When the statement began before another transaction committed
--    that visit (its first post, or another correction), the upsert waited on the row and then
--    updated the committed version it had never seen: the old values it read were missing or out
--    of date, so the sequence the visit moved out of kept the alerts it had with the visit. The old
--    values of the row versions an UPDATE really replaced are in its OLD TABLE; this trigger keeps
--    the sequences they leave in a transaction-local setting, which alert evaluation reads in the
--    same transaction. A setting rather than a table: nothing is written, nothing of it is stored,
--    and it is gone at commit or rollback (a savepoint rolled back takes its part back with it).
--    An update that keeps the revision is not a move: patient re-keying renames a patient's
--    pseudonym on all their visits and moves none out of its sequence. (It can merge two of a
--    patient's sequences, when their visits were stored under two keys; nothing re-evaluates the
--    merged one. That predates V9.)
--
-- 2. A rating and its visit written at the same moment. Each one's trigger writes the rating's
--    rating_fact row from what its statement sees, and neither sees the other before it commits,
--    so the row could be left out. Both take the visit's lock in alert_evaluation_lock, and the one
--    that takes it second waits for the other to commit: it repairs the rating_fact rows of its
--    visits there, in a new snapshot that holds both (rating_fact_repair). rating_fact_refresh now
--    writes only rows that are missing or differ, and so does the repair: when nothing raced, it
--    costs reads.
--
--    The repair runs while this transaction holds visit locks, and must not then wait for a row
--    another transaction holds: that one wrote the row from its trigger, so it touched the same
--    visit and will wait for this transaction's visit lock (a deadlock, found in review with three
--    sessions: a visit correction, a first rating and a rating correction of one visit). It skips
--    such rows instead. Skipping loses nothing: the holder takes the visit lock after this
--    transaction commits, and repairs the row then, in a snapshot that holds both.
--    (AlertEvaluationLockTest plays those three sessions: the call returns and the row ends right.)

CREATE FUNCTION visit_moved_from_visits() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    moved jsonb;
BEGIN
    SELECT jsonb_agg(jsonb_build_array(o.clinic_id, o.patient_pseudonym, o.provider_id)) INTO moved
    FROM old_rows o
    JOIN new_rows n ON n.clinic_id = o.clinic_id AND n.visit_id = o.visit_id
    WHERE n.revision <> o.revision
      AND (n.patient_pseudonym, n.provider_id) IS DISTINCT FROM (o.patient_pseudonym, o.provider_id);
    IF moved IS NOT NULL THEN
        PERFORM set_config('rapport.moved_sequences',
            (COALESCE(NULLIF(current_setting('rapport.moved_sequences', true), ''), '[]')::jsonb || moved)::text,
            true);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER visit_moved_on_visit_update AFTER UPDATE ON visit
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION visit_moved_from_visits();

-- The (clinic, patient, provider) sequences visits updated in this transaction moved out of.
-- PL/pgSQL with ROWS 1 rather than an inlined SQL function, which the planner would count as 100
-- rows in the alert evaluation's plan when there are almost always none.
CREATE FUNCTION visit_moved_sequences() RETURNS TABLE (clinic_id text, patient_pseudonym text, provider_id text)
LANGUAGE plpgsql STABLE ROWS 1 AS $$
BEGIN
    RETURN QUERY
    SELECT m ->> 0, m ->> 1, m ->> 2
    FROM jsonb_array_elements(COALESCE(NULLIF(current_setting('rapport.moved_sequences', true), ''), '[]')::jsonb) AS m;
END
$$;

-- A visit's rating_fact rows as its ratings and its visit_fact row make them now: the one
-- definition the refresh (from the triggers) and the repair (under the visit lock) write from.
-- A STABLE single-SELECT SQL function, so PostgreSQL inlines it into their statements.
CREATE FUNCTION rating_fact_rows(p_clinics varchar[], p_visits varchar[]) RETURNS SETOF rating_fact
    LANGUAGE sql STABLE AS $$
    SELECT r.clinic_id, r.visit_id, r.instrument, f.started_at, f.provider_id, f.modality, r.total, r.category,
        f.face_to_face_share, f.face_to_face_seconds, f.documentation_seconds,
        f.after_hours_documentation_seconds, f.wait_seconds, f.response_latency_seconds,
        f.message_reply_seconds, f.patient_talk_share, f.connection_drops
    FROM (SELECT DISTINCT * FROM unnest(p_clinics, p_visits)) AS k (clinic_id, visit_id)
    JOIN visit_fact f ON f.clinic_id = k.clinic_id AND f.visit_id = k.visit_id
    JOIN rating r ON r.clinic_id = k.clinic_id AND r.visit_id = k.visit_id
$$;

-- Writes the rows that are missing or differ, and no others.
CREATE OR REPLACE FUNCTION rating_fact_refresh(p_clinics varchar[], p_visits varchar[]) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO rating_fact AS rf
    SELECT n.*
    FROM rating_fact_rows(p_clinics, p_visits) AS n
    LEFT JOIN rating_fact o ON o.clinic_id = n.clinic_id AND o.visit_id = n.visit_id AND o.instrument = n.instrument
    WHERE o.clinic_id IS NULL OR (o.*) IS DISTINCT FROM (n.*)
    ORDER BY n.clinic_id, n.visit_id, n.instrument
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
        connection_drops = EXCLUDED.connection_drops;
END
$$;

-- The repair of race 2: the rating_fact rows of these visits that are missing or differ from their
-- rating and visit_fact rows as they stand now, except rows another transaction holds (above).
CREATE FUNCTION rating_fact_repair(p_clinics varchar[], p_visits varchar[]) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    UPDATE rating_fact rf SET
        started_at = n.started_at,
        provider_id = n.provider_id,
        modality = n.modality,
        total = n.total,
        category = n.category,
        face_to_face_share = n.face_to_face_share,
        face_to_face_seconds = n.face_to_face_seconds,
        documentation_seconds = n.documentation_seconds,
        after_hours_documentation_seconds = n.after_hours_documentation_seconds,
        wait_seconds = n.wait_seconds,
        response_latency_seconds = n.response_latency_seconds,
        message_reply_seconds = n.message_reply_seconds,
        patient_talk_share = n.patient_talk_share,
        connection_drops = n.connection_drops
    FROM (
        SELECT n.*
        FROM rating_fact_rows(p_clinics, p_visits) AS n
        JOIN rating_fact o ON o.clinic_id = n.clinic_id AND o.visit_id = n.visit_id AND o.instrument = n.instrument
        WHERE (o.*) IS DISTINCT FROM (n.*)
        ORDER BY n.clinic_id, n.visit_id, n.instrument
        FOR UPDATE OF o SKIP LOCKED
    ) AS n
    WHERE rf.clinic_id = n.clinic_id AND rf.visit_id = n.visit_id AND rf.instrument = n.instrument;

    -- Missing rows cannot be skipped: an insert waits for another transaction's uncommitted insert
    -- of the same key. That other transaction can only hold one here if the row was missing before
    -- either began (lost to the race before V9), since otherwise the rating or the visit it needed
    -- is this transaction's own, uncommitted, and it could not have seen it. Then the two may
    -- deadlock; PostgreSQL ends one, whose request answers 503 and is retried. DO NOTHING: the
    -- other's row stands, and its writer repairs it after this commit.
    INSERT INTO rating_fact
    SELECT n.*
    FROM rating_fact_rows(p_clinics, p_visits) AS n
    WHERE NOT EXISTS (SELECT 1 FROM rating_fact o
                      WHERE o.clinic_id = n.clinic_id AND o.visit_id = n.visit_id AND o.instrument = n.instrument)
    ORDER BY n.clinic_id, n.visit_id, n.instrument
    ON CONFLICT (clinic_id, visit_id, instrument) DO NOTHING;
END
$$;

-- V8's function, with the left sequences taken from the trigger above instead of from the caller,
-- and the rating_fact repair between the visit locks and the provider locks. The lock order and
-- the reasons for it are V8's.
--
-- V8's four-argument form stays, for one release, as a wrapper: during a rolling update the pods
-- still running the previous version call it after this migration has run, and would otherwise
-- fail every write. The sequences they pass are also in the trigger's setting, so it ignores them.
CREATE OR REPLACE FUNCTION alert_evaluation_lock(
    visit_clinics text[], visit_ids text[], left_clinics text[], left_providers text[])
RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM alert_evaluation_lock(visit_clinics, visit_ids);
END
$$;

CREATE FUNCTION alert_evaluation_lock(visit_clinics text[], visit_ids text[])
RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    -- The steps after the visit locks need a snapshot newer than the call; a transaction snapshot
    -- would hide the very visit or rating it waited for.
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'alert_evaluation_lock needs READ COMMITTED, not %',
            current_setting('transaction_isolation');
    END IF;
    PERFORM pg_advisory_xact_lock(c, b)
    FROM (SELECT DISTINCT hashtext(x.c) AS c, (hashtext(x.v) & 63) AS b
          FROM unnest(visit_clinics, visit_ids) AS x(c, v)
          ORDER BY 1, 2 OFFSET 0) AS visit_locks;
    PERFORM rating_fact_repair(visit_clinics::varchar[], visit_ids::varchar[]);
    PERFORM pg_advisory_xact_lock(c, p)
    FROM (SELECT DISTINCT hashtext(s.c) AS c, 64 + (hashtext(s.p) & 63) AS p
          FROM (SELECT v.clinic_id::text, v.provider_id::text
                FROM unnest(visit_clinics, visit_ids) AS x(c, id)
                JOIN visit v ON v.clinic_id = x.c AND v.visit_id = x.id
                UNION ALL
                SELECT m.clinic_id, m.provider_id FROM visit_moved_sequences() AS m) AS s(c, p)
          ORDER BY 1, 2 OFFSET 0) AS provider_locks;
END
$$;

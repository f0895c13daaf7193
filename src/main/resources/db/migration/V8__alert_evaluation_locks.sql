-- Alert evaluation used to hold one advisory lock per clinic until commit, so every write of a
-- clinic's visits or ratings waited for the one before it to commit: under single posts most of a
-- post's time went to that queue. A sequence (clinic, patient, provider, instrument) has one
-- provider, so a lock per (clinic, provider) serialises all that can see each other's rows, and a
-- clinic's providers no longer wait for one another.
--
-- A rating whose visit is not committed yet cannot know the provider, hence two steps, in one
-- call: first a lock on the visit, which the visit's own transaction takes too; then, in a new
-- statement and so a new snapshot (a VOLATILE PL/pgSQL function takes one per statement under
-- READ COMMITTED), the providers of those visits as they stand now, and of the sequences corrected
-- visits left, locked in turn. Whichever of a visit and its rating takes the visit lock second
-- waits until the other commits, then sees its row.
--
-- Both kinds of lock are one of 64 buckets per clinic, not one per visit or provider: a batch of
-- 1,000 visits would otherwise hold 1,000 locks, and a few such batches at once overflow
-- PostgreSQL's shared lock table (max_locks_per_transaction x max_connections). A transaction
-- holds at most 128 locks per clinic it touches (the clinic lock was one), which the embedded
-- server's and the CloudNativePG cluster's max_locks_per_transaction leave room for. Two single
-- posts of a clinic share a visit bucket one time in 64; two large batches of one clinic wait for
-- each other, as they did with the clinic lock. Keys are (hashtext(clinic), 0-63) for visits and
-- (hashtext(clinic), 64-127) for providers, apart from the single-key locks of instrument
-- registration. Every transaction takes all its visit locks before any provider lock, each kind
-- in key order, so none waits for a lock while holding one another needs first.
CREATE FUNCTION alert_evaluation_lock(
    visit_clinics text[], visit_ids text[], left_clinics text[], left_providers text[])
RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    -- The second step needs a snapshot newer than the call; a transaction snapshot would hide the
    -- very visit it waited for and lock nothing.
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'alert_evaluation_lock needs READ COMMITTED, not %',
            current_setting('transaction_isolation');
    END IF;
    PERFORM pg_advisory_xact_lock(c, b)
    FROM (SELECT DISTINCT hashtext(x.c) AS c, (hashtext(x.v) & 63) AS b
          FROM unnest(visit_clinics, visit_ids) AS x(c, v)
          ORDER BY 1, 2 OFFSET 0) AS visit_locks;
    PERFORM pg_advisory_xact_lock(c, p)
    FROM (SELECT DISTINCT hashtext(s.c) AS c, 64 + (hashtext(s.p) & 63) AS p
          FROM (SELECT v.clinic_id::text, v.provider_id::text
                FROM unnest(visit_clinics, visit_ids) AS x(c, id)
                JOIN visit v ON v.clinic_id = x.c AND v.visit_id = x.id
                UNION ALL
                SELECT * FROM unnest(left_clinics, left_providers)) AS s(c, p)
          ORDER BY 1, 2 OFFSET 0) AS provider_locks;
END
$$;

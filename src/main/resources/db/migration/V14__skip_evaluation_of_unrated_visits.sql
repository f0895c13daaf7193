-- A batch of visits none of which has a rating yet (the common case: a visit is posted before its
-- patient answers the survey) takes part in no alert sequence, since only rated visits do. Its
-- provider locks and its evaluation statement found nothing to do, and cost about a quarter of
-- the database time of a batch of new visits. alert_evaluation_lock_rated takes the visit locks
-- as V11's alert_evaluation_lock does, then returns false, taking no provider lock, when none of
-- the visits has a rating and no visit of the transaction left or joined a sequence (a
-- correction, a re-keying); the service then skips the evaluation. Otherwise it repairs
-- rating_fact (V9) and takes the provider locks, as before. With no rating of these visits in
-- the snapshot after the visit locks, the repair had nothing to write: rating_fact rows are
-- made from ratings.
--
-- Why that answer holds until commit: a rating of one of these visits written by another
-- transaction commits only after taking the visit's lock, which this transaction holds; so no
-- such rating can appear in between. One written before the visit locks were granted is visible
-- here (the check runs in a snapshot taken after them) and makes the answer true. A rating
-- written by that other transaction is evaluated by it, with this visit committed and visible.
-- That holds for the service's own writes. A rating written by hand in SQL takes no lock, so one
-- committed while a visit batch of its visit is open may be evaluated by nobody (it could before
-- too, had it committed after the batch's evaluation): such a writer should call
-- alert_evaluation_lock with its visits in the same transaction, and then evaluate.
--
-- V11's alert_evaluation_lock keeps its behaviour, now built from the functions below, for the
-- pods of the previous version during a rolling update.

CREATE FUNCTION alert_evaluation_visit_locks(visit_clinics text[], visit_ids text[])
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
END
$$;

CREATE FUNCTION alert_evaluation_provider_locks(visit_clinics text[], visit_ids text[])
RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(c, p)
    FROM (SELECT DISTINCT hashtext(s.c) AS c, 64 + (hashtext(s.p) & 63) AS p
          FROM (SELECT v.clinic_id::text, v.provider_id::text
                FROM unnest(visit_clinics, visit_ids) AS x(c, id)
                CROSS JOIN LATERAL (
                    SELECT v.clinic_id, v.provider_id FROM visit v
                    WHERE v.clinic_id = x.c AND v.visit_id = x.id LIMIT 1) AS v
                UNION ALL
                SELECT m.clinic_id, m.provider_id FROM visit_moved_sequences() AS m) AS s(c, p)
          ORDER BY 1, 2 OFFSET 0) AS provider_locks;
END
$$;

CREATE OR REPLACE FUNCTION alert_evaluation_lock(visit_clinics text[], visit_ids text[])
RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM alert_evaluation_visit_locks(visit_clinics, visit_ids);
    PERFORM rating_fact_repair(visit_clinics::varchar[], visit_ids::varchar[]);
    PERFORM alert_evaluation_provider_locks(visit_clinics, visit_ids);
END
$$;

CREATE FUNCTION alert_evaluation_lock_rated(visit_clinics text[], visit_ids text[])
RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM alert_evaluation_visit_locks(visit_clinics, visit_ids);
    -- One probe of rating_pk per visit (LATERAL ... LIMIT 1 cannot become a hash of the table).
    PERFORM FROM unnest(visit_clinics, visit_ids) AS x(c, id)
        CROSS JOIN LATERAL (
            SELECT 1 FROM rating r WHERE r.clinic_id = x.c AND r.visit_id = x.id LIMIT 1) AS rated
        LIMIT 1;
    IF NOT FOUND THEN
        PERFORM FROM visit_moved_sequences() LIMIT 1;
        IF NOT FOUND THEN
            RETURN false;
        END IF;
    END IF;
    PERFORM rating_fact_repair(visit_clinics::varchar[], visit_ids::varchar[]);
    PERFORM alert_evaluation_provider_locks(visit_clinics, visit_ids);
    RETURN true;
END
$$;

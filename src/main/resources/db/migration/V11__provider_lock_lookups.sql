-- V9's alert_evaluation_lock, with the visits' providers looked up by key.
--
-- The provider locks' statement joined the call's visits with the visit table, and the planner,
-- pricing 1,000 index probes above one pass over the table, hashed the whole table for every
-- rating batch: 60 ms of a 106 ms call at 100,000 visits (auto_explain), and a pass over every
-- visit of every clinic as the table grows. A LATERAL lookup with LIMIT 1 cannot become a hash
-- join: it is one probe of visit_pk per visit, whatever the statistics say. Locks, their order and
-- the repair between them are V9's.
CREATE OR REPLACE FUNCTION alert_evaluation_lock(visit_clinics text[], visit_ids text[])
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
                CROSS JOIN LATERAL (
                    SELECT v.clinic_id, v.provider_id FROM visit v
                    WHERE v.clinic_id = x.c AND v.visit_id = x.id LIMIT 1) AS v
                UNION ALL
                SELECT m.clinic_id, m.provider_id FROM visit_moved_sequences() AS m) AS s(c, p)
          ORDER BY 1, 2 OFFSET 0) AS provider_locks;
END
$$;

-- rating_fact_repair (V9) runs in every rating batch, and in every visit batch with a rated visit,
-- once the transaction holds its visits' locks (V14), which a batch of 1,000 takes in all 64 of
-- its clinic's buckets: it is part of what one clinic's large batches do one at a time. It mends rows a writer's trigger wrote from a visit or rating
-- that another transaction was changing at the same moment, which is rare; almost always every row
-- already stands right, and its two statements (an UPDATE of the rows that differ, an INSERT of
-- the missing ones) each computed the visits' rating_fact rows only to write nothing.
--
-- It now computes them once to look for a row that is missing or differs, and runs the two
-- statements only when it finds one. When it finds none, the two statements could not have
-- written anything either: they write exactly the missing rows and the rows that differ, less
-- those another transaction holds. For 1,000 new SRS ratings whose rows stand right (psql, the
-- benchmark's shape: 100,000 visits, 40 providers, 20,000 patients), the look took 7.5 ms where the
-- two statements took 15.2.
--
-- The old function keeps its body under a new name, so nothing of V9's reasoning about the writes
-- (what they skip, why that loses nothing) changes, and the callers (alert_evaluation_lock,
-- alert_evaluation_lock_rated) reach the new one by name.
ALTER FUNCTION rating_fact_repair(varchar[], varchar[]) RENAME TO rating_fact_repair_writes;

CREATE FUNCTION rating_fact_repair(p_clinics varchar[], p_visits varchar[]) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM
    FROM rating_fact_rows(p_clinics, p_visits) AS n
    LEFT JOIN rating_fact o ON o.clinic_id = n.clinic_id AND o.visit_id = n.visit_id AND o.instrument = n.instrument
    WHERE o.clinic_id IS NULL OR (o.*) IS DISTINCT FROM (n.*)
    LIMIT 1;
    IF FOUND THEN
        PERFORM rating_fact_repair_writes(p_clinics, p_visits);
    END IF;
END
$$;

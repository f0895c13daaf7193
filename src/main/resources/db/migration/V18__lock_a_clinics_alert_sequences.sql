-- Every alert-evaluation lock of one clinic (V8's keys: (hashtext(clinic), 0-63) for its visits,
-- then (hashtext(clinic), 64-127) for its providers), in the order V8's rule asks: all visit locks
-- before any provider lock. For a transaction that judges every sequence of a clinic again (a new
-- version of one of its instruments): it must take them before it reads which visits are rated.
-- Taken per slice of visits, as the evaluation does, a rating committed by a concurrent batch after
-- that read was judged by that batch under the old rules and never again; and a slice's provider
-- locks after the previous slice's broke the lock order. With all of them held first, a batch that
-- holds some commits before the read sees its ratings, and a batch that comes later waits for the
-- new rules. The clinic's ingest waits meanwhile.
CREATE FUNCTION alert_evaluation_lock_clinic(clinic text)
RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    -- As alert_evaluation_visit_locks (V14): what follows must see what the locks waited for.
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'alert_evaluation_lock_clinic needs READ COMMITTED, not %',
            current_setting('transaction_isolation');
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext(clinic), k)
    FROM (SELECT k FROM generate_series(0, 127) AS g(k) ORDER BY k OFFSET 0) AS clinic_locks;
END
$$;

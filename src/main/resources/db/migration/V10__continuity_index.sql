-- Continuity of care walks each patient's visits in the window in (patient, start, visit id) order
-- (io.rapport.trend.ContinuityOfCare). Read through visit_fact_window_idx, that order is a sort of
-- the whole window after the scan: on a busy clinic's year (92,000 visits) the sort and its rows
-- took 155-190 ms, most of a summary's time. This index holds a clinic's visits already in that
-- order, so the planner can read them straight out of it, index-only: 20-26 ms for the same year.
-- For a short window of a long history a sort of the window stays cheaper, and the planner still
-- picks it (a 90-day window of the same clinic: 25-37 ms either way).
--
-- provider_id is what the walk reads; modality is the one filter column not in the key, so a
-- filtered summary stays index-only too.
--
-- Built in the migration's transaction: writes to visit_fact wait while it builds (0.3 s for
-- 100,000 visits on 2 cores, 12 s for 3 million), and ingest answers 503 (retried) past
-- rapport.db.write-timeout;
-- reads go on. The server's 15 s statement_timeout is lifted for this transaction, but the
-- driver's own socketTimeout (20 s) still bounds the build, so a database of a few million visits
-- or more should get the index before the upgrade, built CONCURRENTLY by hand (README, "Manager
-- queries"); IF NOT EXISTS then makes this a no-op. Not CONCURRENTLY here: Flyway holds its
-- PostgreSQL lock in a transaction of its own, which a concurrent build waits for until it times
-- out, and the build would meet the same socket timeout.
SET LOCAL statement_timeout = 0;

CREATE INDEX IF NOT EXISTS visit_fact_patient_idx
    ON visit_fact (clinic_id, patient_pseudonym, started_at, visit_id)
    INCLUDE (provider_id, modality);

-- A version of each clinic's data, so that a service can keep a manager answer and tell, in the
-- snapshot of a later request, whether the answer still holds (io.rapport.trend.AnswerCache).
--
-- The version of a clinic is read from its rows here in the answer's own snapshot: the sum of
-- their counts and the exclusive or of their stamps. Every statement that writes rows of a clinic
-- into visit, rating or alert adds 1 to the count of the row of (that clinic, the writing backend)
-- and a random number into its stamp. So the version names the set of writes a snapshot sees, not
-- only how many: two snapshots that see different writes read different versions (but for a
-- 2^-52 chance), even where a count alone could repeat, as after a failover that lost the old
-- primary's last commits and took new ones, a restore, or two servers that made the same number
-- of commits visible in different orders.
--
-- What answers read is those tables and the facts V6 keeps from the first two in the same
-- transactions; the one other writer of facts, V9's rating_fact_repair, repairs the visits its own
-- transaction wrote, whose clinics that transaction has counted. The triggers are on the source
-- tables rather than the facts because visit and rating capture their statements' rows for V6
-- already, and triggers of one table and event share that capture: on the facts, a single post
-- paid for new captures and eight more trigger calls, about a quarter more PostgreSQL CPU (README,
-- "How the numbers are defined"). Instrument definitions are not counted: the service reads them
-- before the snapshot and keys an answer by them.
--
-- One row per backend rather than per clinic: a backend runs one transaction at a time, so two
-- writers never wait for each other's row here, and the row lock a statement takes cannot close a
-- cycle with ingest's visit and provider locks. Backends come and go (a pool drops idle
-- connections), so clinic_data_version_fold moves the counts of ended backends into backend 0,
-- keeping each clinic's sum, and with it its version, as it was. '*' counts writes to every
-- clinic at once (TRUNCATE).
CREATE TABLE clinic_data_version (
    clinic_id varchar(128) COLLATE "C" NOT NULL,
    backend   integer                  NOT NULL,
    version   bigint                   NOT NULL,
    stamp     bigint                   NOT NULL,
    CONSTRAINT clinic_data_version_pk PRIMARY KEY (clinic_id, backend)
) WITH (fillfactor = 50); -- room on each page for HOT updates: the rows are updated, never added to

-- A write's random stamp: the 52 bits of random()'s mantissa, which PostgreSQL seeds per backend
-- from a strong source.
CREATE FUNCTION clinic_data_version_stamp() RETURNS bigint LANGUAGE sql VOLATILE AS $$
    SELECT (random() * 4503599627370496)::bigint;
$$;

-- The one statement that counts writes, for the triggers below. PL/pgSQL, whose plans a session
-- keeps, where a LANGUAGE sql function's statement is planned again at every call (V7).
CREATE FUNCTION clinic_data_version_bump(p_clinics text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO clinic_data_version AS d (clinic_id, backend, version, stamp)
    SELECT c, pg_backend_pid(), 1, clinic_data_version_stamp()
    FROM (SELECT DISTINCT c FROM unnest(p_clinics) AS c) AS k ORDER BY c
    ON CONFLICT (clinic_id, backend) DO UPDATE SET version = d.version + 1, stamp = d.stamp # excluded.stamp;
END
$$;

-- Statement triggers with the statement's rows: one bump per clinic per statement, however many
-- rows. A statement that wrote no row (an unchanged replay, an alert evaluation that changed no
-- alert) bumps nothing: it returns before any other statement.
CREATE FUNCTION clinic_data_version_from_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM FROM changed LIMIT 1;
    IF FOUND THEN
        PERFORM clinic_data_version_bump(ARRAY(SELECT clinic_id::text FROM changed));
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION clinic_data_version_from_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM clinic_data_version_bump(ARRAY['*']);
    RETURN NULL;
END
$$;

-- The same four triggers on each table.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['visit', 'rating', 'alert'] LOOP
        EXECUTE format('CREATE TRIGGER clinic_data_version_on_insert AFTER INSERT ON %I REFERENCING NEW TABLE AS changed'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION clinic_data_version_from_rows()', t);
        EXECUTE format('CREATE TRIGGER clinic_data_version_on_update AFTER UPDATE ON %I REFERENCING NEW TABLE AS changed'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION clinic_data_version_from_rows()', t);
        EXECUTE format('CREATE TRIGGER clinic_data_version_on_delete AFTER DELETE ON %I REFERENCING OLD TABLE AS changed'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION clinic_data_version_from_rows()', t);
        EXECUTE format('CREATE TRIGGER clinic_data_version_on_truncate AFTER TRUNCATE ON %I'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION clinic_data_version_from_truncate()', t);
    END LOOP;
END
$$;

-- Folds the rows of backends that have ended into backend 0 (no backend has process id 0): the
-- delete and the insert commit together, so every snapshot reads each clinic's version unchanged
-- (the counts add up, the stamps xor together). A backend still running keeps its row. Rows
-- another transaction holds are skipped, to be folded next time: the fold never waits for a
-- writer (one started since under a reused process id), nor for another instance's fold; its
-- inserts take the clinics' backend-0 rows in one order. Returns the rows folded.
CREATE FUNCTION clinic_data_version_fold() RETURNS bigint LANGUAGE sql AS $$
    WITH gone AS (
        DELETE FROM clinic_data_version d
        WHERE d.ctid IN (
            SELECT o.ctid FROM clinic_data_version o
            WHERE o.backend <> 0 AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = o.backend)
            FOR UPDATE SKIP LOCKED)
        RETURNING d.clinic_id, d.version, d.stamp
    ), folded AS (
        INSERT INTO clinic_data_version AS d (clinic_id, backend, version, stamp)
        SELECT clinic_id, 0, sum(version), bit_xor(stamp) FROM gone GROUP BY clinic_id ORDER BY clinic_id
        ON CONFLICT (clinic_id, backend) DO UPDATE
            SET version = d.version + excluded.version, stamp = d.stamp # excluded.stamp
        RETURNING 1
    )
    SELECT count(*) FROM gone;
$$;

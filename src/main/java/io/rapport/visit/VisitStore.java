package io.rapport.visit;

import static io.rapport.db.Jdbc.ints;
import static io.rapport.db.Jdbc.text;
import static io.rapport.db.Jdbc.texts;

import io.agroal.api.AgroalDataSource;
import io.rapport.db.Jdbc;
import io.rapport.ingest.Outcome;
import io.rapport.ingest.Stored;
import io.rapport.metrics.IngestMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * The one place visits are stored (PatientRekeying only renames their pseudonyms): a whole batch in
 * one {@code INSERT ... SELECT FROM unnest(...) ON CONFLICT DO UPDATE ... WHERE ...}. The {@code
 * WHERE} lets a correction through only when its content differs and its recordedAt is not older
 * than the stored one. The same statement joins each input row with the row as it stood, so every
 * item's outcome (created, updated, unchanged, stale) and revision come back in that one round trip,
 * but for items another transaction wrote while the statement waited on them, which are read again
 * after it. Rows go in key order, so two batches
 * sharing visits lock them in the same order and cannot deadlock; PostgreSQL's row lock on a
 * conflicting key makes concurrent posts of one visit store one row.
 *
 * <p>A large batch of visits none of which is stored, a backfill's common case, goes in by {@code
 * COPY} instead: every item is then created at revision 1, and the server neither looks for stored
 * rows nor checks conflicts a second time (in {@code psql}, 1,000 new visits took 15-17 ms by
 * {@code COPY} against 20-23 by the upsert). Should another transaction store one of its keys
 * after the check, the unique key stops the {@code COPY}, which is rolled back to a savepoint, and
 * the batch goes through the upsert, which answers that item from what the other stored.
 */
@ApplicationScoped
class VisitStore {

    /**
     * The columns that make a visit's content: a post that differs in none of them is a retry.
     * Declared before the statements, which are built from it as the class is initialised.
     */
    private static final List<String> CONTENT = List.of(
            "provider_id",
            "patient_pseudonym",
            "modality",
            "scheduled_start",
            "started_at",
            "ended_at",
            "face_to_face_seconds",
            "documentation_seconds",
            "after_hours_documentation_seconds",
            "response_latency_seconds",
            "patient_talk_share",
            "connection_drops");

    /** The content of the row {@code alias} names, as a row value to compare. */
    private static String content(String alias) {
        return CONTENT.stream().map(column -> alias + '.' + column).collect(Collectors.joining(", ", "(", ")"));
    }

    /** Whether the item's (i) content is the stored row's (b). */
    private static final String SAME = content("b") + " IS NOT DISTINCT FROM " + content("i") + " AS same";

    /** The items of a batch as rows, with the positions ord refers to. */
    private static final String INPUT = """
            SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                    ?::timestamptz[], ?::timestamptz[], ?::timestamptz[], ?::int[], ?::int[], ?::int[],
                    ?::float8[], ?::float8[], ?::int[], ?::timestamptz[]) WITH ORDINALITY
                AS i(clinic_id, visit_id, provider_id, patient_pseudonym, modality, scheduled_start,
                     started_at, ended_at, face_to_face_seconds, documentation_seconds,
                     after_hours_documentation_seconds, response_latency_seconds, patient_talk_share,
                     connection_drops, recorded_at, ord)""";

    /** Each item (i) beside its stored row (b), or nulls for a visit not stored. */
    private static final String BESIDE_STORED = """
            input i
            LEFT JOIN LATERAL (
                SELECT * FROM visit v WHERE v.clinic_id = i.clinic_id AND v.visit_id = i.visit_id LIMIT 1) AS b
              ON true""";

    private static final String UPSERT = """
            WITH input AS (%s), checked AS (
                -- Each item beside its row as this statement's snapshot holds it (one key lookup per
                -- item, as RatingStore's: a join could hash the whole visit table). settled: that row
                -- already answers the item, a retry or a late correction, so it is not written: ON
                -- CONFLICT would lock (and write WAL for) every row of a replayed batch only to update
                -- none of them. NULL for a visit the snapshot does not hold.
                -- same: the item's content is the stored row's, whenever either was recorded.
                SELECT s.*, (s.stored_recorded_at > s.recorded_at OR s.same) AS settled
                FROM (
                    SELECT i.*, b.recorded_at AS stored_recorded_at, b.revision AS stored_revision, %s
                    FROM %s) AS s
            ), written AS (
                INSERT INTO visit AS v (clinic_id, visit_id, provider_id, patient_pseudonym, modality,
                    scheduled_start, started_at, ended_at, face_to_face_seconds, documentation_seconds,
                    after_hours_documentation_seconds, response_latency_seconds, patient_talk_share,
                    connection_drops, recorded_at, received_at, revision)
                SELECT clinic_id, visit_id, provider_id, patient_pseudonym, modality, scheduled_start,
                    started_at, ended_at, face_to_face_seconds, documentation_seconds,
                    after_hours_documentation_seconds, response_latency_seconds, patient_talk_share,
                    connection_drops, recorded_at, ?::timestamptz, 1
                FROM checked
                WHERE settled IS NOT TRUE
                ORDER BY ord
                ON CONFLICT (clinic_id, visit_id) DO UPDATE SET
                    provider_id = EXCLUDED.provider_id,
                    patient_pseudonym = EXCLUDED.patient_pseudonym,
                    modality = EXCLUDED.modality,
                    scheduled_start = EXCLUDED.scheduled_start,
                    started_at = EXCLUDED.started_at,
                    ended_at = EXCLUDED.ended_at,
                    face_to_face_seconds = EXCLUDED.face_to_face_seconds,
                    documentation_seconds = EXCLUDED.documentation_seconds,
                    after_hours_documentation_seconds = EXCLUDED.after_hours_documentation_seconds,
                    response_latency_seconds = EXCLUDED.response_latency_seconds,
                    patient_talk_share = EXCLUDED.patient_talk_share,
                    connection_drops = EXCLUDED.connection_drops,
                    recorded_at = EXCLUDED.recorded_at,
                    received_at = EXCLUDED.received_at,
                    revision = v.revision + 1
                WHERE v.recorded_at <= EXCLUDED.recorded_at AND %s IS DISTINCT FROM %s
                RETURNING v.clinic_id, v.visit_id, v.revision, (v.xmax = 0) AS inserted
            )
            SELECT c.ord, w.revision, w.inserted, c.settled, c.same, c.stored_recorded_at, c.stored_revision
            FROM checked c
            LEFT JOIN written w ON w.clinic_id = c.clinic_id AND w.visit_id = c.visit_id
            ORDER BY c.ord
            """.formatted(INPUT, SAME, BESIDE_STORED, content("v"), content("EXCLUDED"));

    /**
     * The stored state of visits the upsert tried to write and did not: another transaction
     * inserted or corrected them after the statement's snapshot, the upsert waited on their key,
     * and what the other stored stood. A new statement's snapshot holds it; each item is compared
     * with it again, as two posts of the same visit without a recordedAt each carry their own
     * arrival, and the later one may be stored first.
     */
    private static final String STORED_STATE = """
            WITH input AS (%s)
            SELECT i.ord, b.recorded_at, b.revision, %s
            FROM %s
            """.formatted(INPUT, SAME, BESIDE_STORED);

    /**
     * Batches from this size go in by {@code COPY} when none of their visits is stored: below it,
     * the check, the savepoint and the copy's own round trips cost more than the upsert they save.
     */
    static final int COPY_FROM = 100;

    /** Whether any of the visits is stored, one key lookup each, stopping at the first found. */
    private static final String ANY_STORED = """
            SELECT EXISTS (
                SELECT 1 FROM unnest(?::text[], ?::text[]) AS k(clinic_id, visit_id)
                CROSS JOIN LATERAL (
                    SELECT 1 FROM visit v WHERE v.clinic_id = k.clinic_id AND v.visit_id = k.visit_id LIMIT 1) AS v)
            """;

    private static final String COPY = "COPY visit (clinic_id, visit_id, provider_id, patient_pseudonym, modality,"
            + " scheduled_start, started_at, ended_at, face_to_face_seconds, documentation_seconds,"
            + " after_hours_documentation_seconds, response_latency_seconds, patient_talk_share, connection_drops,"
            + " recorded_at, received_at, revision) FROM STDIN";

    private static final String UNIQUE_VIOLATION = "23505";

    private final AgroalDataSource dataSource;
    private final Event<VisitsChanged> changed;
    private final IngestMetrics metrics;

    VisitStore(AgroalDataSource dataSource, Event<VisitsChanged> changed, IngestMetrics metrics) {
        this.dataSource = dataSource;
        this.changed = changed;
        this.metrics = metrics;
    }

    /** Stores all visits in the caller's transaction and tells dependents which visits changed. */
    List<Stored> upsert(List<NewVisit> visits, Instant receivedAt) {
        Stored[] out = new Stored[visits.size()];
        List<Visit.Key> created = new ArrayList<>();
        List<Visit.Key> corrected = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            List<int[]> rounds = Jdbc.rounds(visits, v -> v.clinicId() + '\u0000' + v.visitId());
            if (rounds.size() == 1 && visits.size() >= COPY_FROM && copiedAsNew(c, visits, rounds.get(0), receivedAt)) {
                for (int index = 0; index < out.length; index++) {
                    out[index] = new Stored(Outcome.CREATED, 1);
                    created.add(new Visit.Key(
                            visits.get(index).clinicId(), visits.get(index).visitId()));
                }
            } else {
                for (int[] round : rounds) {
                    upsertRound(c, visits, round, receivedAt, out, created, corrected);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Storing visits failed: " + e.getSQLState(), e);
        }
        if (!created.isEmpty() || !corrected.isEmpty()) {
            changed.fire(new VisitsChanged(created, corrected));
        }
        return Stored.all(out);
    }

    /** One round's upsert: each item's answer into {@code out}, the visits it wrote into the lists. */
    private static void upsertRound(
            Connection c,
            List<NewVisit> visits,
            int[] round,
            Instant receivedAt,
            Stored[] out,
            List<Visit.Key> created,
            List<Visit.Key> corrected)
            throws SQLException {
        List<Integer> unseen = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
            bind(c, ps, visits, round, receivedAt);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int index = round[rs.getInt("ord") - 1];
                    NewVisit v = visits.get(index);
                    int revision = rs.getInt("revision");
                    if (!rs.wasNull()) {
                        boolean inserted = rs.getBoolean("inserted");
                        out[index] = new Stored(inserted ? Outcome.CREATED : Outcome.UPDATED, revision);
                        (inserted ? created : corrected).add(new Visit.Key(v.clinicId(), v.visitId()));
                        continue;
                    }
                    if (!rs.getBoolean("settled")) {
                        // Written by another transaction after this statement's snapshot,
                        // which the upsert then waited for: its row is the one that stands.
                        unseen.add(index);
                        continue;
                    }
                    out[index] = unchanged(
                            v,
                            Jdbc.instant(rs, "stored_recorded_at"),
                            rs.getInt("stored_revision"),
                            rs.getBoolean("same"));
                }
            }
        }
        if (!unseen.isEmpty()) {
            storedState(c, visits, unseen.stream().mapToInt(Integer::intValue).toArray(), out);
        }
    }

    /**
     * Copies the visits, in key order as the upsert writes them (so two batches sharing new keys
     * wait for each other in one order), if none of them is stored; false, with nothing written,
     * when one is, or when another transaction stored one meanwhile.
     */
    private boolean copiedAsNew(Connection c, List<NewVisit> visits, int[] order, Instant receivedAt)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(ANY_STORED)) {
            bindKeys(c, ps, visits, order);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getBoolean(1)) {
                    return false;
                }
            }
        }
        byte[] rows = VisitCopyRows.of(visits, order, receivedAt).getBytes(StandardCharsets.UTF_8);
        execute(c, "SAVEPOINT visit_copy");
        try {
            copy(c, rows);
        } catch (SQLException e) {
            if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw e;
            }
            // Stored by a transaction that committed after the check: the upsert answers it.
            execute(c, "ROLLBACK TO SAVEPOINT visit_copy");
            // Released too, so the upsert and the alert checks after it run in the transaction itself.
            execute(c, "RELEASE SAVEPOINT visit_copy");
            metrics.copyAttempt("visit", false);
            return false;
        }
        execute(c, "RELEASE SAVEPOINT visit_copy");
        metrics.copyAttempt("visit", true);
        return true;
    }

    /**
     * The rows in one COPY. When the server stops answering in the middle (SQLState class 08, as
     * the write timeout reports it), the connection is closed at once, before the copy is
     * cancelled: pgjdbc's own copyIn cancelled it first, and the cancel and then the rollback each
     * waited out the write timeout again on that connection, so a stalled database cost a batch
     * 7.5 s instead of 2.5 before its 503. The server rolls back a transaction whose connection is
     * gone.
     */
    private static void copy(Connection c, byte[] rows) throws SQLException {
        CopyIn copy = null;
        try {
            copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY);
            copy.writeToCopy(rows, 0, rows.length);
            copy.endCopy();
        } catch (SQLException e) {
            boolean lost = e.getSQLState() != null && e.getSQLState().startsWith("08");
            if (lost) {
                // The physical connection: the pool's wrapper only forgets its own reference.
                ((Connection) c.unwrap(PGConnection.class)).abort(Runnable::run);
            }
            if (copy != null && copy.isActive()) {
                try {
                    // Gives the connection back from the copy, which holds it until then: on a
                    // closed one at once, as its message cannot be sent.
                    copy.cancelCopy();
                } catch (SQLException cancelled) {
                    if (!lost) {
                        e.addSuppressed(cancelled);
                    }
                }
            }
            throw e;
        }
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /**
     * The stored state stood: a retry (the same content, whenever it was recorded), or a
     * correction that came too late.
     */
    private static Stored unchanged(NewVisit v, Instant storedRecordedAt, int revision, boolean same) {
        return new Stored(
                !same && v.recordedAt().isBefore(storedRecordedAt) ? Outcome.STALE : Outcome.UNCHANGED, revision);
    }

    private static void storedState(Connection c, List<NewVisit> visits, int[] indexes, Stored[] out)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(STORED_STATE)) {
            bindInput(c, ps, visits, indexes);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int index = indexes[rs.getInt(1) - 1];
                    out[index] = unchanged(
                            visits.get(index),
                            Jdbc.instant(rs, "recorded_at"),
                            rs.getInt("revision"),
                            rs.getBoolean("same"));
                }
            }
        }
    }

    /** The keys of these visits, in this order, as the statement's first two parameters. */
    private static void bindKeys(Connection c, PreparedStatement ps, List<NewVisit> visits, int[] indexes)
            throws SQLException {
        String[] clinics = new String[indexes.length];
        String[] ids = new String[indexes.length];
        for (int k = 0; k < indexes.length; k++) {
            clinics[k] = visits.get(indexes[k]).clinicId();
            ids[k] = visits.get(indexes[k]).visitId();
        }
        ps.setArray(1, texts(c, clinics));
        ps.setArray(2, texts(c, ids));
    }

    private static void bind(Connection c, PreparedStatement ps, List<NewVisit> visits, int[] round, Instant receivedAt)
            throws SQLException {
        ps.setString(bindInput(c, ps, visits, round), text(receivedAt));
    }

    /** Binds {@link #INPUT}'s arrays for these items, in this order; the next parameter's index. */
    private static int bindInput(Connection c, PreparedStatement ps, List<NewVisit> visits, int[] round)
            throws SQLException {
        int n = round.length;
        String[] clinic = new String[n], visit = new String[n], provider = new String[n], patient = new String[n];
        String[] modality = new String[n], scheduled = new String[n], started = new String[n], ended = new String[n];
        String[] recorded = new String[n];
        Integer[] faceToFace = new Integer[n], documentation = new Integer[n], afterHours = new Integer[n];
        Integer[] drops = new Integer[n];
        Double[] latency = new Double[n], talkShare = new Double[n];
        for (int k = 0; k < n; k++) {
            NewVisit v = visits.get(round[k]);
            clinic[k] = v.clinicId();
            visit[k] = v.visitId();
            provider[k] = v.providerId();
            patient[k] = v.patientPseudonym();
            modality[k] = v.modality().name();
            scheduled[k] = text(v.scheduledStart());
            started[k] = text(v.startedAt());
            ended[k] = text(v.endedAt());
            faceToFace[k] = v.faceToFaceSeconds();
            documentation[k] = v.documentationSeconds();
            afterHours[k] = v.afterHoursDocumentationSeconds();
            latency[k] = v.responseLatencySeconds();
            talkShare[k] = v.patientTalkShare();
            drops[k] = v.connectionDrops();
            recorded[k] = text(v.recordedAt());
        }
        int i = 1;
        ps.setArray(i++, texts(c, clinic));
        ps.setArray(i++, texts(c, visit));
        ps.setArray(i++, texts(c, provider));
        ps.setArray(i++, texts(c, patient));
        ps.setArray(i++, texts(c, modality));
        ps.setArray(i++, texts(c, scheduled));
        ps.setArray(i++, texts(c, started));
        ps.setArray(i++, texts(c, ended));
        ps.setArray(i++, ints(c, faceToFace));
        ps.setArray(i++, ints(c, documentation));
        ps.setArray(i++, ints(c, afterHours));
        ps.setArray(i++, Jdbc.doubles(c, latency));
        ps.setArray(i++, Jdbc.doubles(c, talkShare));
        ps.setArray(i++, ints(c, drops));
        ps.setArray(i++, texts(c, recorded));
        return i;
    }
}

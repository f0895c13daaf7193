package io.rapport.rating;

import static io.rapport.db.Jdbc.booleans;
import static io.rapport.db.Jdbc.doubles;
import static io.rapport.db.Jdbc.instant;
import static io.rapport.db.Jdbc.text;
import static io.rapport.db.Jdbc.texts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import io.rapport.alert.AlertEvaluator;
import io.rapport.alert.AlertView;
import io.rapport.db.Jdbc;
import io.rapport.error.ProblemException;
import io.rapport.ingest.Outcome;
import io.rapport.ingest.Stored;
import io.rapport.instrument.InstrumentDefinition;
import io.rapport.instrument.InstrumentRegistry;
import io.rapport.instrument.InstrumentReplaced;
import io.rapport.instrument.Score;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * The one place ratings are written: the same set-based idempotent upsert as visits, keyed on
 * (clinic, visit, instrument), one statement per batch, followed by alert evaluation of the
 * changed ratings in the same transaction.
 */
@ApplicationScoped
class RatingStore {

    /** The items of a batch as rows, with the positions ord refers to. */
    private static final String INPUT = """
            SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::bool[], ?::float8[],
                    ?::float8[], ?::text[], ?::text[], ?::timestamptz[], ?::timestamptz[]) WITH ORDINALITY
                AS i(clinic_id, visit_id, instrument, items, complete, total, normalized, subscales,
                     category, submitted_at, recorded_at, ord)""";

    /** Each item (i) beside its stored row (b), or nulls for a rating not stored. */
    private static final String BESIDE_STORED = """
            input i
            LEFT JOIN LATERAL (
                SELECT * FROM rating r
                WHERE r.clinic_id = i.clinic_id AND r.visit_id = i.visit_id AND r.instrument = i.instrument
                LIMIT 1) AS b
              ON true""";

    /** Whether the item's content is the stored row's: a rating's answers and when they were given. */
    private static final String SAME =
            "(b.items, b.submitted_at) IS NOT DISTINCT FROM (i.items::float8[], i.submitted_at) AS same";

    private static final String UPSERT = """
            WITH input AS (%s), checked AS (
                -- Each item beside its row as this statement's snapshot holds it, and whether that row
                -- already answers it (settled): see VisitStore. One key lookup per item (LATERAL ...
                -- LIMIT 1 cannot become a hash join): planned as a join, a batch hashed the whole
                -- rating table whenever its statistics lagged a backfill, and each batch cost more as
                -- the table grew.
                SELECT s.*, (s.stored_recorded_at > s.recorded_at OR s.same) AS settled
                FROM (
                    SELECT i.*, b.recorded_at AS stored_recorded_at, b.revision AS stored_revision, %s
                    FROM %s) AS s
            ), written AS (
                INSERT INTO rating AS r (clinic_id, visit_id, instrument, items, complete, total, normalized,
                    subscales, category, submitted_at, recorded_at, received_at, revision)
                SELECT clinic_id, visit_id, instrument, items::float8[], complete, total, normalized,
                    subscales::jsonb, category, submitted_at, recorded_at, ?::timestamptz, 1
                FROM checked
                WHERE settled IS NOT TRUE
                ORDER BY ord
                ON CONFLICT (clinic_id, visit_id, instrument) DO UPDATE SET
                    items = EXCLUDED.items,
                    complete = EXCLUDED.complete,
                    total = EXCLUDED.total,
                    normalized = EXCLUDED.normalized,
                    subscales = EXCLUDED.subscales,
                    category = EXCLUDED.category,
                    submitted_at = EXCLUDED.submitted_at,
                    recorded_at = EXCLUDED.recorded_at,
                    received_at = EXCLUDED.received_at,
                    revision = r.revision + 1
                WHERE r.recorded_at <= EXCLUDED.recorded_at
                  AND (r.items, r.submitted_at) IS DISTINCT FROM (EXCLUDED.items, EXCLUDED.submitted_at)
                RETURNING r.clinic_id, r.visit_id, r.instrument, r.revision, (r.xmax = 0) AS inserted
            )
            SELECT c.ord, w.revision, w.inserted, c.settled, c.same, c.stored_recorded_at, c.stored_revision
            FROM checked c
            LEFT JOIN written w
              ON w.clinic_id = c.clinic_id AND w.visit_id = c.visit_id AND w.instrument = c.instrument
            ORDER BY c.ord
            """.formatted(INPUT, SAME, BESIDE_STORED);

    /**
     * Ratings another transaction inserted or corrected while the upsert waited on their key, each
     * compared with what stands: see VisitStore.
     */
    private static final String STORED_STATE = """
            WITH input AS (%s)
            SELECT i.ord, b.recorded_at, b.revision, %s
            FROM %s
            """.formatted(INPUT, SAME, BESIDE_STORED);

    /**
     * Up to {@link #REBANDED_PER_STATEMENT} stored ratings of one clinic instrument whose category
     * is not the band their total falls in, given their new one: the first band, in the
     * definition's order, whose min and max hold the total, as Scoring gives it; none for none.
     */
    private static final String REBAND = """
            WITH bands AS (
                SELECT * FROM unnest(?::text[], ?::float8[], ?::float8[]) WITH ORDINALITY AS b(name, lo, hi, ord)
            ), changed AS (
                SELECT s.visit_id, band.name
                FROM rating s
                LEFT JOIN LATERAL (
                    SELECT b.name FROM bands b WHERE s.total >= b.lo AND s.total <= b.hi ORDER BY b.ord LIMIT 1
                ) AS band ON true
                WHERE s.clinic_id = ? AND s.instrument = ? AND s.category IS DISTINCT FROM band.name
                LIMIT ?
            )
            UPDATE rating r SET category = changed.name
            FROM changed
            WHERE r.clinic_id = ? AND r.instrument = ? AND r.visit_id = changed.visit_id
            """;

    /** Each statement well inside the write timeout, however many ratings a clinic has. */
    private static final int REBANDED_PER_STATEMENT = 5000;

    private final AgroalDataSource dataSource;
    private final ObjectMapper mapper;
    private final AlertEvaluator alerts;
    private final RatingRepository repository;
    private final InstrumentRegistry instruments;

    RatingStore(
            AgroalDataSource dataSource,
            ObjectMapper mapper,
            AlertEvaluator alerts,
            RatingRepository repository,
            InstrumentRegistry instruments) {
        this.instruments = instruments;
        this.repository = repository;
        this.dataSource = dataSource;
        this.mapper = mapper;
        this.alerts = alerts;
    }

    /** Stores all ratings in the caller's transaction, then evaluates alerts over the batch. */
    List<Stored> upsert(List<NewRating> ratings, Instant receivedAt) {
        Stored[] out = new Stored[ratings.size()];
        List<AlertEvaluator.VisitRef> changed = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            stillScoredAsRead(c, ratings);
            for (int[] round :
                    Jdbc.rounds(ratings, r -> r.clinicId() + '\u0000' + r.visitId() + '\u0000' + r.instrument())) {
                List<Integer> unseen = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
                    bind(c, ps, ratings, round, receivedAt);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            int index = round[rs.getInt("ord") - 1];
                            NewRating r = ratings.get(index);
                            int revision = rs.getInt("revision");
                            if (!rs.wasNull()) {
                                out[index] = new Stored(
                                        rs.getBoolean("inserted") ? Outcome.CREATED : Outcome.UPDATED, revision);
                                changed.add(new AlertEvaluator.VisitRef(r.clinicId(), r.visitId()));
                                continue;
                            }
                            if (!rs.getBoolean("settled")) {
                                // Written by another transaction after the snapshot: see VisitStore.
                                unseen.add(index);
                                continue;
                            }
                            out[index] = unchanged(
                                    r,
                                    instant(rs, "stored_recorded_at"),
                                    rs.getInt("stored_revision"),
                                    rs.getBoolean("same"));
                        }
                    }
                }
                if (!unseen.isEmpty()) {
                    storedState(c, ratings, unseen, out);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Storing ratings failed: " + e.getSQLState(), e);
        }
        // After every rating is written, so the evaluation sees the whole batch.
        if (!changed.isEmpty()) {
            alerts.evaluate(changed);
        }
        return Stored.all(out);
    }

    /**
     * A clinic's instrument may get a new version between the moment these ratings were scored,
     * as the request was read, and this transaction. Each clinic instrument of the batch is locked
     * shared, the lock a registration takes exclusively, and read again: a registration either
     * committed first, and is read here, or waits for this transaction and then finds its ratings
     * stored, which it scores again (their bands) or refuses to rescale. Ratings scored by a version
     * since replaced fail the request with a 503, so the retry scores them by the new one: such a
     * registration commits within the few milliseconds between reading and storing, which is rare.
     * Built-ins never change while Rapport runs.
     */
    private void stillScoredAsRead(Connection c, List<NewRating> ratings) throws SQLException {
        // Key order: two batches lock alike.
        Set<String> keys = new TreeSet<>();
        for (NewRating r : ratings) {
            if (r.scoredBy().clinicId() != null) {
                keys.add(InstrumentRegistry.lockKey(r.clinicId(), r.instrument()));
            }
        }
        if (keys.isEmpty()) {
            return;
        }
        try (PreparedStatement lock = c.prepareStatement(InstrumentRegistry.LOCK_SHARED)) {
            for (String key : keys) {
                lock.setString(1, key);
                lock.execute();
            }
        }
        Map<String, InstrumentDefinition> current = new HashMap<>();
        for (NewRating r : ratings) {
            if (r.scoredBy().clinicId() == null) {
                continue;
            }
            InstrumentDefinition now = current.computeIfAbsent(
                    InstrumentRegistry.lockKey(r.clinicId(), r.instrument()),
                    k -> instruments.find(r.clinicId(), r.instrument()).orElseThrow());
            if (!now.equals(r.scoredBy())) {
                throw ProblemException.retryLater(r.instrument() + " got a new version while this request was"
                        + " read; nothing was stored: retry it as it is, to have it scored by the new version.");
            }
        }
    }

    /**
     * A new version's bands apply to the ratings already stored, in the registration's transaction,
     * as its cutoff applies to their alerts: a summary compares the stored category with the
     * current band names (an NPS-style score), and counted a rating banded by the old version by
     * the old bands. Their totals stay: a version may not change the scale of stored ratings.
     */
    void onInstrumentReplaced(@Observes InstrumentReplaced event) {
        InstrumentDefinition def =
                instruments.find(event.clinicId(), event.code()).orElseThrow();
        List<InstrumentDefinition.Category> bands = def.categories() == null ? List.of() : def.categories();
        String[] names = new String[bands.size()];
        Double[] mins = new Double[bands.size()], maxes = new Double[bands.size()];
        for (int k = 0; k < bands.size(); k++) {
            names[k] = bands.get(k).name();
            mins[k] = bands.get(k).min();
            maxes[k] = bands.get(k).max();
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(REBAND)) {
            int i = 1;
            ps.setArray(i++, texts(c, names));
            ps.setArray(i++, doubles(c, mins));
            ps.setArray(i++, doubles(c, maxes));
            ps.setString(i++, event.clinicId());
            ps.setString(i++, event.code());
            ps.setInt(i++, REBANDED_PER_STATEMENT);
            ps.setString(i++, event.clinicId());
            ps.setString(i, event.code());
            while (ps.executeUpdate() > 0) {
                // The next slice: the rows just banded no longer differ.
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Banding stored ratings again failed: " + e.getSQLState(), e);
        }
    }

    /** The same content is a retry whenever it was recorded: see VisitStore. */
    private static Stored unchanged(NewRating r, Instant storedRecordedAt, int revision, boolean same) {
        return new Stored(
                !same && r.recordedAt().isBefore(storedRecordedAt) ? Outcome.STALE : Outcome.UNCHANGED, revision);
    }

    private void storedState(Connection c, List<NewRating> ratings, List<Integer> unseen, Stored[] out)
            throws SQLException {
        int[] indexes = unseen.stream().mapToInt(Integer::intValue).toArray();
        try (PreparedStatement ps = c.prepareStatement(STORED_STATE)) {
            bindInput(c, ps, ratings, indexes);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int index = indexes[rs.getInt(1) - 1];
                    out[index] = unchanged(
                            ratings.get(index),
                            instant(rs, "recorded_at"),
                            rs.getInt("revision"),
                            rs.getBoolean("same"));
                }
            }
        }
    }

    private void bind(Connection c, PreparedStatement ps, List<NewRating> ratings, int[] round, Instant receivedAt)
            throws SQLException {
        ps.setString(bindInput(c, ps, ratings, round), text(receivedAt));
    }

    /** Binds {@link #INPUT}'s arrays for these items, in this order; the next parameter's index. */
    private int bindInput(Connection c, PreparedStatement ps, List<NewRating> ratings, int[] round)
            throws SQLException {
        int n = round.length;
        String[] clinic = new String[n], visit = new String[n], instrument = new String[n], items = new String[n];
        String[] subscales = new String[n], category = new String[n], submitted = new String[n];
        String[] recorded = new String[n];
        Boolean[] complete = new Boolean[n];
        Double[] total = new Double[n], normalized = new Double[n];
        for (int k = 0; k < n; k++) {
            NewRating r = ratings.get(round[k]);
            Score s = r.score();
            clinic[k] = r.clinicId();
            visit[k] = r.visitId();
            instrument[k] = r.instrument();
            items[k] = arrayLiteral(r.items());
            complete[k] = s.complete();
            total[k] = s.total();
            normalized[k] = s.normalized();
            subscales[k] = json(s.subscales());
            category[k] = s.category();
            submitted[k] = text(r.submittedAt());
            recorded[k] = text(r.recordedAt());
        }
        int i = 1;
        ps.setArray(i++, texts(c, clinic));
        ps.setArray(i++, texts(c, visit));
        ps.setArray(i++, texts(c, instrument));
        ps.setArray(i++, texts(c, items));
        ps.setArray(i++, booleans(c, complete));
        ps.setArray(i++, doubles(c, total));
        ps.setArray(i++, doubles(c, normalized));
        ps.setArray(i++, texts(c, subscales));
        ps.setArray(i++, texts(c, category));
        ps.setArray(i++, texts(c, submitted));
        ps.setArray(i++, texts(c, recorded));
        return i;
    }

    /**
     * One rating's answers as a PostgreSQL array literal, since one array parameter cannot carry
     * an array per row. {@link Double#toString} round-trips exactly through PostgreSQL's float8 input.
     */
    static String arrayLiteral(List<Double> items) {
        StringBuilder sb = new StringBuilder("{");
        for (int k = 0; k < items.size(); k++) {
            Double d = items.get(k);
            sb.append(k == 0 ? "" : ",").append(d == null ? "NULL" : d.toString());
        }
        return sb.append('}').toString();
    }

    /** One stored rating, its subscales put in their definition's order by {@code inOrder}. */
    Optional<RatingView> find(
            String clinicId,
            String visitId,
            String instrument,
            List<AlertView> openAlerts,
            UnaryOperator<Map<String, Double>> inOrder) {
        return repository
                .find(clinicId, visitId, instrument)
                .map(r -> new RatingView(
                        r.clinicId,
                        r.visitId,
                        r.instrument,
                        Arrays.asList(r.items),
                        r.submittedAt,
                        r.recordedAt,
                        r.complete,
                        r.total,
                        inOrder.apply(r.subscales == null ? Map.of() : r.subscales),
                        r.category,
                        r.revision,
                        r.receivedAt,
                        openAlerts));
    }

    private String json(Map<String, Double> subscales) {
        try {
            return mapper.writeValueAsString(subscales == null ? Map.of() : subscales);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

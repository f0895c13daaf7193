package io.rapport.alert;

import static io.rapport.support.Fixtures.with;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.rapport.support.Fixtures;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * V8's alert_evaluation_lock (and V14's alert_evaluation_lock_rated), called on connections of their own: the number of locks it holds
 * must not grow with the batch (or a few concurrent batches would overflow PostgreSQL's shared lock
 * table), and a call that waited for a visit's lock must then lock the provider of that visit,
 * committed after the call began. What the locks are for is shown over HTTP by AlertSequenceTest.
 */
@QuarkusTest
class AlertEvaluationLockTest {

    private static final String LOCK = "SELECT alert_evaluation_lock(?::text[], ?::text[])";

    /** Advisory locks this session holds: visit buckets (0-63), then provider buckets (64-127). */
    private static final String HELD = "SELECT count(*) FILTER (WHERE objid < 64), count(*) FILTER (WHERE objid >= 64)"
            + " FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid()";

    @Inject
    AgroalDataSource dataSource;

    @Test
    void aThousandVisitsOfTwoHundredProvidersHoldAtMostSixtyFourLocksOfEachKind() throws SQLException {
        String clinic = Fixtures.unique("lock");
        String[] visits = IntStream.range(0, 1000).mapToObj(i -> "v-" + i).toArray(String[]::new);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                for (int i = 0; i < visits.length; i++) {
                    insertVisit(c, clinic, visits[i], "dr-" + (i % 200));
                }
                lock(c, clinic, visits);
                long[] held = held(c);
                // 1,000 visit ids fill the 64 visit buckets (hashtext is deterministic; for any 1,000
                // ids an empty bucket has a chance of about 10^-5); 200 providers hash into at most 64.
                assertThat(held[0]).isEqualTo(64);
                assertThat(held[1]).isLessThanOrEqualTo(64).isGreaterThan(32);
            } finally {
                c.rollback();
            }
        }
    }

    /**
     * V14, the call the service makes: a visit with no rating takes its visit lock, for the
     * rating_fact repair, and no provider lock, and the answer says there is nothing to evaluate;
     * once the visit has a rating, the same call locks its provider too and asks for the evaluation.
     */
    @Test
    void anUnratedVisitTakesNoProviderLockAndNeedsNoEvaluation() throws SQLException {
        String clinic = Fixtures.unique("lock");
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                insertVisit(c, clinic, "v-1", "dr-a");
                assertThat(lockRated(c, clinic, "v-1")).isFalse();
                assertThat(held(c)).containsExactly(1, 0);
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO rating (clinic_id, visit_id, instrument,"
                        + " items, complete, total, submitted_at, recorded_at, received_at)"
                        + " VALUES (?, 'v-1', 'SRS', '{9,9,9,9}', true, 36, now(), now(), now())")) {
                    ps.setString(1, clinic);
                    ps.executeUpdate();
                }
                assertThat(lockRated(c, clinic, "v-1")).isTrue();
                assertThat(held(c)).containsExactly(1, 1);
            } finally {
                c.rollback();
            }
        }
    }

    @Test
    void aCallThatWaitedForAVisitLocksTheProviderItCommitted() throws Exception {
        String clinic = Fixtures.unique("lock");
        try (Connection first = dataSource.getConnection();
                Connection second = dataSource.getConnection()) {
            first.setAutoCommit(false);
            second.setAutoCommit(false);
            try {
                insertVisit(first, clinic, "v-1", "dr-late");
                lock(first, clinic, "v-1");
                assertThat(held(first)).containsExactly(1, 1);

                // A rating's evaluation of the same visit, while the visit is not committed: it waits.
                CompletableFuture<long[]> waited = CompletableFuture.supplyAsync(() -> {
                    try {
                        lock(second, clinic, "v-1");
                        return held(second);
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });
                Thread.sleep(500);
                assertThat(waited).isNotDone();
                first.commit();
                // Its provider lookup ran in a snapshot taken after that commit: it found dr-late.
                assertThat(waited.get(30, TimeUnit.SECONDS)).containsExactly(1, 1);
            } finally {
                second.rollback();
                first.rollback();
                try (PreparedStatement ps = first.prepareStatement("DELETE FROM visit WHERE clinic_id = ?")) {
                    ps.setString(1, clinic);
                    ps.executeUpdate();
                }
                first.commit();
            }
        }
    }

    /**
     * The three-writer order review found deadlocking (V9): a visit correction X is written; a first
     * rating Z of that visit is posted and commits; a rating correction Y is written, so Y holds the
     * rating's rating_fact row; then X takes the visit lock and repairs that row, which differs
     * from X's view (X's documentation time, Z's total). Waiting for Y there deadlocks, since Y
     * next waits for the visit lock X holds. The repair must skip the row and return; Y, taking
     * the lock after X commits, repairs it. Figures: documentation 100 s, corrected by X to 200 s;
     * Z's SRS 9 + 9 + 9 + 9 = 36, corrected by Y to 32. The row must end at 32 and 200 s.
     */
    @Test
    void aRepairSkipsARowAnotherWriterHoldsAndThatWriterRepairsItAfter() throws Exception {
        String clinic = Fixtures.unique("lock");
        given().contentType(ContentType.JSON)
                .body(with(
                        Fixtures.visit(clinic, "v"), "documentationSeconds", 100, "afterHoursDocumentationSeconds", 0))
                .post("/api/v1/visits")
                .then()
                .statusCode(201);
        try (Connection x = dataSource.getConnection();
                Connection y = dataSource.getConnection()) {
            x.setAutoCommit(false);
            y.setAutoCommit(false);
            try {
                update(
                        x,
                        "UPDATE visit SET documentation_seconds = 200, revision = revision + 1"
                                + " WHERE clinic_id = ? AND visit_id = 'v'",
                        clinic);
                given().contentType(ContentType.JSON)
                        .body(Map.of(
                                "clinicId",
                                clinic,
                                "visitId",
                                "v",
                                "instrument",
                                "SRS",
                                "items",
                                List.of(9.0, 9.0, 9.0, 9.0),
                                "submittedAt",
                                Instant.now().toString()))
                        .post("/api/v1/ratings")
                        .then()
                        .statusCode(201);
                update(
                        y,
                        "UPDATE rating SET items = '{8,8,8,8}', total = 32, revision = revision + 1"
                                + " WHERE clinic_id = ? AND visit_id = 'v' AND instrument = 'SRS'",
                        clinic);

                CompletableFuture<Void> repaired = CompletableFuture.runAsync(() -> {
                    try {
                        lock(x, clinic, "v");
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });
                repaired.get(10, TimeUnit.SECONDS);
                x.commit();
                lock(y, clinic, "v");
                y.commit();
            } finally {
                x.rollback();
                y.rollback();
            }
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT total, documentation_seconds FROM rating_fact"
                        + " WHERE clinic_id = ? AND visit_id = 'v' AND instrument = 'SRS'")) {
            ps.setString(1, clinic);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getDouble(1)).isEqualTo(32.0);
                assertThat(rs.getDouble(2)).isEqualTo(200.0);
            }
        }
    }

    /**
     * V16's repair looks for a row that is missing or differs before it writes; a difference where
     * one side is NULL must count too. Two rated visits, their rows then made wrong by hand as a
     * race could leave them: a's after-hours documentation, never sent and so NULL, set to 0; b's
     * total, 9 + 9 + 9 + 9 = 36, set to NULL. The call (visit locks, then the repair) must put
     * both back, and must write a missing row again.
     */
    @Test
    void aRepairMendsRowsThatDifferOnlyByANullAndRowsThatAreMissing() throws SQLException {
        String clinic = Fixtures.unique("lock");
        for (String visit : List.of("a", "b", "c")) {
            given().contentType(ContentType.JSON)
                    .body(with(Fixtures.visit(clinic, visit), "afterHoursDocumentationSeconds", Fixtures.REMOVE))
                    .post("/api/v1/visits")
                    .then()
                    .statusCode(201);
            given().contentType(ContentType.JSON)
                    .body(Fixtures.srs(clinic, visit, Instant.now().toString(), 9, 9, 9, 9))
                    .post("/api/v1/ratings")
                    .then()
                    .statusCode(201);
        }
        String row = " WHERE clinic_id = ? AND visit_id = '%s' AND instrument = 'SRS'";
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                update(c, "UPDATE rating_fact SET after_hours_documentation_seconds = 0" + row.formatted("a"), clinic);
                update(c, "UPDATE rating_fact SET total = NULL" + row.formatted("b"), clinic);
                lock(c, clinic, "a", "b", "c");
                assertRowsRight(c, clinic, "a", "b", "c");
                // Apart, since a missing row makes the repair write every row that differs.
                update(c, "DELETE FROM rating_fact" + row.formatted("c"), clinic);
                lock(c, clinic, "a", "b", "c");
                assertRowsRight(c, clinic, "a", "b", "c");
            } finally {
                c.rollback();
            }
        }
    }

    /**
     * During a rolling update, pods of the previous release call V8's four-argument form after V9
     * has run; it must still lock as the current form does, or every write of theirs would fail.
     */
    @Test
    void thePreviousReleasesCallStillLocks() throws SQLException {
        String clinic = Fixtures.unique("lock");
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                insertVisit(c, clinic, "v-1", "dr-old");
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT alert_evaluation_lock(?::text[], ?::text[], ?::text[], ?::text[])")) {
                    ps.setArray(1, c.createArrayOf("text", new String[] {clinic}));
                    ps.setArray(2, c.createArrayOf("text", new String[] {"v-1"}));
                    ps.setArray(3, c.createArrayOf("text", new String[] {clinic}));
                    ps.setArray(4, c.createArrayOf("text", new String[] {"dr-left"}));
                    ps.execute();
                }
                // The visit's bucket, and its provider's: the left provider comes from V9's trigger
                // when a correction really moved a visit, not from the caller.
                assertThat(held(c)).containsExactly(1, 1);
            } finally {
                c.rollback();
            }
        }
    }

    /** Each visit's SRS row: after-hours NULL (never sent), total 36. */
    private static void assertRowsRight(Connection c, String clinic, String... visits) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT visit_id, after_hours_documentation_seconds IS NULL, total FROM rating_fact"
                        + " WHERE clinic_id = ? ORDER BY visit_id")) {
            ps.setString(1, clinic);
            try (ResultSet rs = ps.executeQuery()) {
                for (String visit : visits) {
                    assertThat(rs.next()).as("a row for %s", visit).isTrue();
                    assertThat(rs.getString(1)).isEqualTo(visit);
                    assertThat(rs.getBoolean(2))
                            .as("after-hours of %s is NULL", visit)
                            .isTrue();
                    assertThat(rs.getDouble(3)).as("total of %s", visit).isEqualTo(36.0);
                }
                assertThat(rs.next()).isFalse();
            }
        }
    }

    private static void update(Connection c, String sql, String clinic) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, clinic);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }

    private static void insertVisit(Connection c, String clinic, String visitId, String provider) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO visit (clinic_id, visit_id, provider_id,"
                        + " patient_pseudonym, modality, started_at, ended_at, face_to_face_seconds, documentation_seconds,"
                        + " recorded_at, received_at) VALUES (?, ?, ?, 'k2026:x', 'VIDEO', now(), now(), 600, 60, now(), now())")) {
            ps.setString(1, clinic);
            ps.setString(2, visitId);
            ps.setString(3, provider);
            ps.executeUpdate();
        }
    }

    private static void lock(Connection c, String clinic, String... visitIds) throws SQLException {
        String[] clinics = new String[visitIds.length];
        Arrays.fill(clinics, clinic);
        try (PreparedStatement ps = c.prepareStatement(LOCK)) {
            ps.setArray(1, c.createArrayOf("text", clinics));
            ps.setArray(2, c.createArrayOf("text", visitIds));
            ps.execute();
        }
    }

    private static boolean lockRated(Connection c, String clinic, String visitId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT alert_evaluation_lock_rated(?::text[], ?::text[])")) {
            ps.setArray(1, c.createArrayOf("text", new String[] {clinic}));
            ps.setArray(2, c.createArrayOf("text", new String[] {visitId}));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static long[] held(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(HELD);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }
}

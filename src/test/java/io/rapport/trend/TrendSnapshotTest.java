package io.rapport.trend;

import static io.rapport.support.Fixtures.unique;
import static io.rapport.support.Fixtures.visit;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.rapport.support.Scrape;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The two halves of a {@link TrendSql.Snapshot#both} pair read one state of the database even
 * when the second runs on a helper's connection: a visit committed after the answer's snapshot was
 * taken is seen by neither. Each case posts that visit over HTTP between taking the snapshot and
 * running the pair, so a helper that opened a transaction of its own would count it. The test
 * profile points the reports datasource, which manager queries use, at the suite's server.
 */
@QuarkusTest
class TrendSnapshotTest {

    @Inject
    TrendSql sql;

    @Inject
    @DataSource("reports")
    AgroalDataSource reports;

    /** What one statement saw, and on which thread it ran. */
    private record Seen(long visits, String thread) {}

    private static Function<TrendSql.Snapshot, Seen> countVisits(String clinic) {
        return s -> new Seen(
                TrendSql.lng(s.query("SELECT count(*) AS n FROM visit WHERE clinic_id = ?", clinic)
                        .get(0)
                        .get("n")),
                Thread.currentThread().getName());
    }

    private static void post(String clinic, String visitId) {
        given().contentType(ContentType.JSON)
                .body(visit(clinic, visitId))
                .post("/api/v1/visits")
                .then()
                .statusCode(201);
    }

    private static double halves(String outcome) {
        return Scrape.samples().getOrDefault("rapport_trend_halves_total{outcome=\"" + outcome + "\"}", 0.0);
    }

    private static double reportsActive() {
        return Scrape.samples().entrySet().stream()
                .filter(e -> e.getKey().startsWith("agroal_active_connections{")
                        && e.getKey().contains("datasource=\"reports\""))
                .mapToDouble(java.util.Map.Entry::getValue)
                .findFirst()
                .orElseThrow(() -> new AssertionError("the reports pool's active gauge is not scraped"));
    }

    /** The reports pool's connections all back; a helper ends its work after its answer did. */
    private static void awaitReportsIdle() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (reportsActive() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(reportsActive()).as("reports connections in use").isZero();
    }

    /**
     * A snapshot that saw the clinic's one visit, taken before a second visit is committed: neither
     * half of a pair run in it may count that second one.
     */
    private TrendSql.Snapshot takenBeforeASecondVisit(String clinic) {
        TrendSql.Snapshot s = sql.snapshot();
        assertThat(countVisits(clinic).apply(s).visits()).isEqualTo(1);
        post(clinic, "s2");
        return s;
    }

    @Test
    void theHelperReadsTheAnswersSnapshotNotALaterCommit() {
        String clinic = unique("snap");
        post(clinic, "s1");
        double together = halves("together");
        try (TrendSql.Snapshot s = takenBeforeASecondVisit(clinic)) {

            TrendSql.Both<Seen, Seen> both = s.both(countVisits(clinic), countVisits(clinic));

            assertThat(both.first().visits()).isEqualTo(1);
            assertThat(both.first().thread()).isEqualTo(Thread.currentThread().getName());
            assertThat(both.second().visits()).isEqualTo(1);
            assertThat(both.second().thread()).startsWith("trend-helper");
        }
        assertThat(halves("together") - together).isEqualTo(1.0);
        try (TrendSql.Snapshot later = sql.snapshot()) {
            assertThat(countVisits(clinic).apply(later).visits()).isEqualTo(2);
        }
    }

    @Test
    void aSnapshotTheHelperCannotImportHasTheCallerRunBoth() {
        String clinic = unique("snap");
        post(clinic, "s1");
        double notImported = halves("not_imported");
        try (TrendSql.Snapshot s = takenBeforeASecondVisit(clinic)) {

            // An id no server exported: as when a load-balanced replica service hands the helper
            // another server than the one that exported the snapshot.
            TrendSql.Both<Seen, Seen> both =
                    s.both(countVisits(clinic), countVisits(clinic), () -> "00000003-0000001B-1");

            assertThat(both.second().visits()).isEqualTo(1);
            assertThat(both.second().thread()).isEqualTo(Thread.currentThread().getName());
            assertThat(halves("not_imported") - notImported).isEqualTo(1.0);

            // The helper gave its permit back: the next pair runs beside the caller again.
            assertThat(s.both(countVisits(clinic), countVisits(clinic)).second().thread())
                    .startsWith("trend-helper");
        }
    }

    @Test
    void aFailingHelperStatementFailsTheAnswerAndReturnsItsConnection() throws InterruptedException {
        String clinic = unique("snap");
        post(clinic, "s1");
        AtomicReference<String> failedOn = new AtomicReference<>();
        try (TrendSql.Snapshot s = sql.snapshot()) {
            assertThatThrownBy(() -> s.both(countVisits(clinic), t -> {
                        failedOn.set(Thread.currentThread().getName());
                        return t.query("SELECT no_such_column FROM visit");
                    }))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("42703");
        }
        assertThat(failedOn.get()).startsWith("trend-helper");
        awaitReportsIdle();
    }

    @Test
    void whenTheFirstHalfFailsTheAnswerFailsAndTheHelperRunsNoFurtherStatement() throws InterruptedException {
        String clinic = unique("snap");
        post(clinic, "s1");
        CountDownLatch helperStarted = new CountDownLatch(1);
        AtomicBoolean helperSlept = new AtomicBoolean();
        AtomicBoolean helperWentOn = new AtomicBoolean();
        try (TrendSql.Snapshot s = sql.snapshot()) {
            assertThatThrownBy(() -> s.both(
                            first -> {
                                try {
                                    helperStarted.await(10, TimeUnit.SECONDS);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                                throw new IllegalStateException("the first half failed");
                            },
                            second -> {
                                helperStarted.countDown();
                                // Still running when the first half fails.
                                second.query("SELECT pg_sleep(1)");
                                helperSlept.set(true);
                                second.query("SELECT 1");
                                helperWentOn.set(true);
                                return null;
                            }))
                    .hasMessage("the first half failed");
            // The answer failed without waiting for the helper's statement to end.
            assertThat(helperSlept).isFalse();
        }
        awaitReportsIdle();
        assertThat(helperWentOn).isFalse();
        assertThat(sql.freeHelpers()).isEqualTo(1);
    }

    @Test
    void anotherTransactionsSnapshotIsNotTheAnswersAndTheCallerRunsBoth() {
        String clinic = unique("snap");
        post(clinic, "s1");
        double notImported = halves("not_imported");
        try (TrendSql.Snapshot s = takenBeforeASecondVisit(clinic)) {
            try (TrendSql.Snapshot later = sql.snapshot()) {
                // A snapshot the server holds and the helper can import, but a later one: as another
                // standby's export that happens to carry the same id would be.
                String laterId = (String)
                        later.query("SELECT pg_export_snapshot() AS id").get(0).get("id");

                TrendSql.Both<Seen, Seen> both = s.both(countVisits(clinic), countVisits(clinic), () -> laterId);

                assertThat(both.second().visits()).isEqualTo(1);
                assertThat(both.second().thread())
                        .isEqualTo(Thread.currentThread().getName());
            }
        }
        assertThat(halves("not_imported") - notImported).isEqualTo(1.0);
    }

    @Test
    void withNoConnectionToSpareTheHalvesRunInTurnAndNoHelperIsMadeUp() {
        String clinic = unique("snap");
        post(clinic, "s1");
        double noConnection = halves("no_connection");
        List<TrendSql.Snapshot> held = new ArrayList<>();
        try {
            // The reports pool holds five: four answers in flight, and this one.
            for (int i = 0; i < 4; i++) {
                held.add(sql.snapshot());
            }
            try (TrendSql.Snapshot s = sql.snapshot()) {
                assertThatThrownBy(() -> s.both(
                                first -> {
                                    throw new IllegalStateException("the first half failed");
                                },
                                countVisits(clinic)))
                        .hasMessage("the first half failed");
                TrendSql.Both<Seen, Seen> both = s.both(countVisits(clinic), countVisits(clinic));
                assertThat(both.second().visits()).isEqualTo(1);
                assertThat(both.second().thread())
                        .isEqualTo(Thread.currentThread().getName());
            }
        } finally {
            held.forEach(TrendSql.Snapshot::close);
        }
        assertThat(halves("no_connection") - noConnection).isEqualTo(2.0);
        assertThat(sql.freeHelpers()).as("helpers free after both answers").isEqualTo(1);
    }

    @Test
    void aHelperHandedADeadConnectionHasTheCallerRunTheHalf() {
        String clinic = unique("snap");
        post(clinic, "s1");
        double noConnection = halves("no_connection");
        try (TrendSql.Snapshot s = takenBeforeASecondVisit(clinic)) {
            // Every other connection of the reports pool (it holds five) made idle, then ended by
            // the server, as a restart or an administrator's pg_terminate_backend leaves them: the
            // pool still hands them out, and a helper's first round trip finds them gone.
            List<TrendSql.Snapshot> others = new ArrayList<>();
            List<Object> pids = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                TrendSql.Snapshot other = sql.snapshot();
                others.add(other);
                pids.add(other.query("SELECT pg_backend_pid() AS pid").get(0).get("pid"));
            }
            others.forEach(TrendSql.Snapshot::close);
            for (Object pid : pids) {
                assertThat(s.query("SELECT pg_terminate_backend(?) AS ended", pid)
                                .get(0)
                                .get("ended"))
                        .isEqualTo(true);
            }

            TrendSql.Both<Seen, Seen> both = s.both(countVisits(clinic), countVisits(clinic));

            assertThat(both.first().visits()).isEqualTo(1);
            assertThat(both.second().visits()).isEqualTo(1);
            assertThat(both.second().thread()).isEqualTo(Thread.currentThread().getName());
        } finally {
            // The ended connections left idle must not reach the tests after this one.
            reports.flush(AgroalDataSource.FlushMode.IDLE);
        }
        assertThat(halves("no_connection") - noConnection).isEqualTo(1.0);
        assertThat(sql.freeHelpers()).as("helpers free after the answer").isEqualTo(1);
    }

    @Test
    void aSnapshotWithoutParallelWorkersHasItsHelperRunWithoutThemToo() {
        Function<TrendSql.Snapshot, String> workers =
                s -> (String) s.query("SELECT current_setting('max_parallel_workers_per_gather') AS w")
                        .get(0)
                        .get("w");
        String serverDefault;
        try (TrendSql.Snapshot s = sql.snapshot()) {
            serverDefault = workers.apply(s);
        }
        assertThat(serverDefault).as("the server's own setting").isNotEqualTo("0");
        try (TrendSql.Snapshot s = sql.snapshotWithoutParallelWorkers()) {
            TrendSql.Both<String, String> both = s.both(workers, workers);
            assertThat(both.first()).isEqualTo("0");
            assertThat(both.second()).isEqualTo("0");
        }
        // Transaction-scoped: the pooled connections answer the next snapshot with the default.
        try (TrendSql.Snapshot s = sql.snapshot()) {
            TrendSql.Both<String, String> both = s.both(workers, workers);
            assertThat(both.first()).isEqualTo(serverDefault);
            assertThat(both.second()).isEqualTo(serverDefault);
        }
    }
}

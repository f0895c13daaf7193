package io.rapport.trend;

import static io.rapport.support.Fixtures.unique;
import static io.rapport.support.Fixtures.visit;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.test.junit.QuarkusTest;
import io.rapport.support.Scrape;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The two statements of a {@link TrendSql.Snapshot#both} pair read one state of the database even
 * when the second runs on a helper's connection: a visit committed after the answer's snapshot was
 * taken is seen by neither. Each case posts that visit over HTTP between taking the snapshot and
 * running the pair, so a helper that opened a transaction of its own would count it.
 */
@QuarkusTest
class TrendSnapshotTest {

    @Inject
    TrendSql sql;

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

    @Test
    void theHelperReadsTheAnswersSnapshotNotALaterCommit() {
        String clinic = unique("snap");
        post(clinic, "s1");
        try (TrendSql.Snapshot s = sql.snapshot()) {
            assertThat(countVisits(clinic).apply(s).visits()).isEqualTo(1);
            post(clinic, "s2");

            TrendSql.Both<Seen, Seen> both = s.both(countVisits(clinic), countVisits(clinic));

            assertThat(both.first().visits()).isEqualTo(1);
            assertThat(both.first().thread()).isEqualTo(Thread.currentThread().getName());
            assertThat(both.second().visits()).isEqualTo(1);
            assertThat(both.second().thread()).startsWith("trend-helper");
        }
        try (TrendSql.Snapshot later = sql.snapshot()) {
            assertThat(countVisits(clinic).apply(later).visits()).isEqualTo(2);
        }
    }

    @Test
    void aSnapshotTheHelperCannotImportHasTheCallerRunBoth() {
        String clinic = unique("snap");
        post(clinic, "s1");
        try (TrendSql.Snapshot s = sql.snapshot()) {
            assertThat(countVisits(clinic).apply(s).visits()).isEqualTo(1);
            post(clinic, "s2");

            // An id no server exported: as when a load-balanced replica service hands the helper
            // another server than the one that exported the snapshot.
            TrendSql.Both<Seen, Seen> both =
                    s.both(countVisits(clinic), countVisits(clinic), () -> "00000003-0000001B-1");

            assertThat(both.second().visits()).isEqualTo(1);
            assertThat(both.second().thread()).isEqualTo(Thread.currentThread().getName());

            // The helper gave its permit back: the next pair runs beside the caller again.
            assertThat(s.both(countVisits(clinic), countVisits(clinic)).second().thread())
                    .startsWith("trend-helper");
        }
    }

    @Test
    void aFailingHelperStatementFailsTheAnswerAndReturnsItsConnection() {
        String clinic = unique("snap");
        post(clinic, "s1");
        try (TrendSql.Snapshot s = sql.snapshot()) {
            assertThatThrownBy(() -> s.both(countVisits(clinic), t -> t.query("SELECT no_such_column FROM visit")))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("42703");
        }
        // Both connections are back: the helper's, which failed, and the answer's.
        assertThat(reportsActive()).isZero();
        try (TrendSql.Snapshot s = sql.snapshot()) {
            assertThat(s.both(countVisits(clinic), countVisits(clinic)).second().thread())
                    .startsWith("trend-helper");
        }
    }

    private static final Pattern REPORTS_ACTIVE =
            Pattern.compile("(?m)^agroal_active_connections\\{[^}]*datasource=\"reports\"[^}]*\\} (\\S+)$");

    /** The test profile points the reports datasource at the suite's server, as TrendReadReplicaTest says. */
    private static double reportsActive() {
        Matcher m = REPORTS_ACTIVE.matcher(Scrape.text());
        assertThat(m.find()).as("the reports pool's active gauge is scraped").isTrue();
        return Double.parseDouble(m.group(1));
    }
}

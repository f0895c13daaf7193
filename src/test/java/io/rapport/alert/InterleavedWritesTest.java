package io.rapport.alert;

import static io.rapport.support.Fixtures.srs;
import static io.rapport.support.Fixtures.unique;
import static io.rapport.support.Fixtures.visit;
import static io.rapport.support.Fixtures.with;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.rapport.support.Locks;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two posts of one visit that overlap in the worst order, forced rather than hoped for: the test
 * holds a lock every write takes after writing and before committing (the visit's, or for a rated
 * visit its provider's: V8, V14), so the first post stops there, and the second post is sent while
 * the first is still open. AlertSequenceTest shows the same rules without forcing the order.
 */
@QuarkusTest
class InterleavedWritesTest {

    @Inject
    Locks locks;

    private static int postVisit(String clinic, String visitId, String patient, int day) {
        return AlertSequenceTest.visitStatus(clinic, visitId, patient, "dr-p", day);
    }

    private static int postSrs(String clinic, String visitId, Double... items) {
        return AlertSequenceTest.srsStatus(clinic, visitId, items);
    }

    /** Takes dr-p's provider lock in this clinic, as alert_evaluation_lock computes its key. */
    private Connection holdProviderLock(String clinic) throws SQLException {
        return locks.hold("SELECT pg_advisory_xact_lock(hashtext(?), 64 + (hashtext('dr-p') & 63))", clinic);
    }

    /**
     * A correction that moves visit b to another patient arrives while b's first post is still
     * open. The correction's statement began before that post committed, so it never saw b as
     * pat-1's; its update then waits for the first post and changes the committed row. pat-1's
     * sequence must still be evaluated again without b. SRS totals by hand: a 9 + 9 + 9 + 9.5 = 36.5,
     * b 10 + 10 + 9.5 + 9.5 = 39, c 9.5 * 3 + 9 = 37.5. With b, c dropped 1.5 from b (an alert);
     * without b, c's previous is a, 36.5 -> 37.5, no drop.
     */
    @Test
    void aCorrectionThatWaitedForTheFirstPostReEvaluatesTheSequenceTheVisitLeft() throws Exception {
        String clinic = unique("c");
        assertThat(postVisit(clinic, "a", "pat-1", 1)).isEqualTo(201);
        assertThat(postVisit(clinic, "c", "pat-1", 3)).isEqualTo(201);
        assertThat(postSrs(clinic, "a", 9.0, 9.0, 9.0, 9.5)).isEqualTo(201);
        assertThat(postSrs(clinic, "b", 10.0, 10.0, 9.5, 9.5)).isEqualTo(201);
        assertThat(postSrs(clinic, "c", 9.5, 9.5, 9.5, 9.0)).isEqualTo(201);

        CompletableFuture<Integer> first;
        CompletableFuture<Integer> correction;
        try (Connection lock = holdProviderLock(clinic)) {
            first = CompletableFuture.supplyAsync(() -> postVisit(clinic, "b", "pat-1", 2));
            locks.awaitWaiting("advisory", 1);
            correction = CompletableFuture.supplyAsync(() -> postVisit(clinic, "b", "pat-2", 2));
            // The correction's upsert waits on the first post's uncommitted row.
            locks.awaitWaiting("transactionid", 1);
            lock.rollback();
        }
        assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo(201);
        assertThat(correction.get(30, TimeUnit.SECONDS)).isEqualTo(200);

        given().get("/api/v1/clinics/" + clinic + "/visits/c/ratings/SRS")
                .then()
                .body("alerts", empty());
        // The first post raised the drop on c; the correction resolved it.
        given().queryParam("status", "all")
                .get("/api/v1/clinics/" + clinic + "/alerts")
                .then()
                .body("items.visitId", equalTo(List.of("c")))
                .body("items.reason", equalTo(List.of("DROP_FROM_PREVIOUS")))
                .body("items.status", equalTo(List.of("RESOLVED")));
    }

    /**
     * A rating and its visit's first post, both open at once, in either order of reaching the
     * visit's lock: neither statement can see the other's row. Once both have committed, the
     * rating counts in the manager's figures and its alert is open, whichever of the two
     * evaluated it: the visit, when the rating got the lock first and committed, or the rating,
     * when the visit got it first, found no rating and so evaluated nothing (V14). SRS by hand:
     * 8 + 8 + 8 + 8 = 32, below the cutoff of 36.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aRatingAndItsVisitWrittenAtOnceCountAndRaiseTheAlert(boolean visitFirst) throws Exception {
        String clinic = unique("c");
        CompletableFuture<Integer> first;
        CompletableFuture<Integer> second;
        try (Connection lock = locks.holdVisitLock(clinic, "v")) {
            // Each waits for the test's lock after writing; PostgreSQL grants it in the order asked.
            first = CompletableFuture.supplyAsync(
                    () -> visitFirst ? postVisit(clinic, "v", "pat-1", 1) : postSrs(clinic, "v", 8.0, 8.0, 8.0, 8.0));
            locks.awaitWaiting("advisory", 1);
            second = CompletableFuture.supplyAsync(
                    () -> visitFirst ? postSrs(clinic, "v", 8.0, 8.0, 8.0, 8.0) : postVisit(clinic, "v", "pat-1", 1));
            locks.awaitWaiting("advisory", 2);
            lock.rollback();
        }
        assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo(201);
        assertThat(second.get(30, TimeUnit.SECONDS)).isEqualTo(201);

        given().get("/api/v1/clinics/" + clinic + "/summary")
                .then()
                .statusCode(200)
                .body("visits", equalTo(1))
                .body("ratings.SRS.responses", equalTo(1));
        given().get("/api/v1/clinics/" + clinic + "/alerts")
                .then()
                .body("items.visitId", equalTo(List.of("v")))
                .body("items.reason", equalTo(List.of("BELOW_CUTOFF")))
                .body("items.status", equalTo(List.of("OPEN")))
                .body("items.total", equalTo(List.of(32.0)));
    }

    /**
     * Two corrections of one visit, the later-recorded one first: the older correction's
     * statement sees the visit as first posted, so it tries to write, and waits for the newer
     * correction's uncommitted row. When that commits, the stored row is newer than the older
     * correction, which must then be answered stale at the revision that stands (2), not unchanged
     * at the revision its statement began with (1).
     */
    @Test
    void aCorrectionOvertakenWhileItWaitedIsAnsweredStaleAtTheRevisionThatStands() throws Exception {
        String clinic = unique("c");
        Map<String, Object> first = visit(clinic, "v");
        overtake("/api/v1/visits/batch", first, "connectionDrops", 7, 5);
        given().get("/api/v1/clinics/" + clinic + "/visits/v")
                .then()
                .body("revision", equalTo(2))
                .body("connectionDrops", equalTo(7));
    }

    /** The same race for a rating. SRS totals by hand: 36 first, 40 from the newer correction. */
    @Test
    void aRatingCorrectionOvertakenWhileItWaitedIsAnsweredStale() throws Exception {
        String clinic = unique("c");
        assertThat(postVisit(clinic, "v", "pat-1", 1)).isEqualTo(201);
        Map<String, Object> first = srs(clinic, "v", "2026-01-05T10:00:00Z", 9, 9, 9, 9);
        overtake("/api/v1/ratings/batch", first, "items", List.of(10, 10, 10, 10), List.of(5, 5, 5, 5));
        given().get("/api/v1/clinics/" + clinic + "/visits/v/ratings/SRS")
                .then()
                .body("revision", equalTo(2))
                .body("total", equalTo(40.0));
    }

    /**
     * Two copies of one event at once, each stamped as it arrived (no recordedAt), the later
     * stamp stored first: the earlier copy's statement waits on the later one's row, then finds
     * its own content there. It is a retry, answered unchanged, not a stale correction; and one
     * row stands.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void theEarlierOfTwoCopiesThatWaitedForTheOtherIsARetry(boolean rating) throws Exception {
        String clinic = unique("c");
        Instant noon = Instant.parse("2026-01-05T12:00:00Z");
        String path = rating ? "/api/v1/ratings/batch" : "/api/v1/visits/batch";
        if (rating) {
            assertThat(postVisit(clinic, "v", "pat-1", 1)).isEqualTo(201);
        }
        Map<String, Object> event = rating ? srs(clinic, "v", "2026-01-05T10:00:00Z", 9, 9, 9, 9) : visit(clinic, "v");
        List<List<Object>> answers = secondWaitsOnFirstsRow(
                path,
                with(event, "recordedAt", noon.plusSeconds(1).toString()),
                with(event, "recordedAt", noon.toString()));
        assertThat(answers).containsExactly(List.of("created", 1), List.of("unchanged", 1));
        given().get("/api/v1/clinics/" + clinic + "/visits/v" + (rating ? "/ratings/SRS" : ""))
                .then()
                .body("revision", equalTo(1))
                .body("recordedAt", equalTo(noon.plusSeconds(1).toString()));
    }

    /**
     * Two batches that share visits, the second sent while the first has written them and not
     * committed (the test holds every visit lock of the clinic, which the first takes after its
     * writes). The second's statement cannot see the first's rows and waits on them; each shared
     * item is then answered from the row the first committed: the same content unchanged, a later
     * correction updated, an earlier one stale; its own new visit created.
     */
    @Test
    void aBatchThatWaitedForAnOverlappingOneAnswersEachSharedItemFromWhatThatOneCommitted() throws Exception {
        String clinic = unique("c");
        Instant noon = Instant.parse("2026-01-05T12:00:00Z");
        Map<String, Object> a = with(visit(clinic, "a"), "recordedAt", noon.toString());
        Map<String, Object> b = with(visit(clinic, "b"), "recordedAt", noon.toString());
        Map<String, Object> c = with(visit(clinic, "c"), "recordedAt", noon.toString());
        List<Map<String, Object>> second = List.of(
                a,
                with(b, "recordedAt", noon.plusSeconds(60).toString(), "connectionDrops", 6),
                with(c, "recordedAt", noon.minusSeconds(60).toString(), "connectionDrops", 9),
                visit(clinic, "d"));
        CompletableFuture<Response> firstAnswer;
        CompletableFuture<Response> secondAnswer;
        try (Connection lock = locks.holdAllVisitLocks(clinic)) {
            firstAnswer = CompletableFuture.supplyAsync(() -> postBatch("/api/v1/visits/batch", List.of(a, b, c)));
            locks.awaitWaiting("advisory", 1);
            secondAnswer = CompletableFuture.supplyAsync(() -> postBatch("/api/v1/visits/batch", second));
            locks.awaitWaiting("transactionid", 1);
            lock.rollback();
        }
        Response first = firstAnswer.get(30, TimeUnit.SECONDS);
        assertThat(first.<List<String>>path("results.status")).containsExactly("created", "created", "created");
        Response answer = secondAnswer.get(30, TimeUnit.SECONDS);
        assertThat(answer.<List<String>>path("results.status"))
                .containsExactly("unchanged", "updated", "stale", "created");
        assertThat(answer.<List<Integer>>path("results.revision")).containsExactly(1, 2, 1, 1);
        given().get("/api/v1/clinics/" + clinic + "/visits/b")
                .then()
                .body("revision", equalTo(2))
                .body("connectionDrops", equalTo(6));
        given().get("/api/v1/clinics/" + clinic + "/visits/c")
                .then()
                .body("revision", equalTo(1))
                .body("connectionDrops", equalTo(1));
    }

    /**
     * Posts {@code first} (recorded at noon), then, with the visit's lock held, a
     * correction of {@code field} to {@code newer} recorded two minutes later, which writes and
     * waits for the lock, and one to {@code older} recorded one minute later, which waits for the
     * newer one's row; releases the lock and checks both answers.
     */
    private void overtake(String path, Map<String, Object> first, String field, Object newer, Object older)
            throws Exception {
        Instant noon = Instant.parse("2026-01-05T12:00:00Z");
        Map<String, Object> stored = with(first, "recordedAt", noon.toString());
        assertThat(postBatch(path, stored).<String>path("results[0].status")).isEqualTo("created");
        List<List<Object>> answers = secondWaitsOnFirstsRow(
                path,
                with(stored, "recordedAt", noon.plusSeconds(120).toString(), field, newer),
                with(stored, "recordedAt", noon.plusSeconds(60).toString(), field, older));
        assertThat(answers).containsExactly(List.of("updated", 2), List.of("stale", 2));
    }

    /**
     * Posts {@code first} with its visit's lock held, so that it writes and waits; then {@code
     * second}, of the same event, which waits on the first's row; releases the lock. Each one's
     * status and revision.
     */
    private List<List<Object>> secondWaitsOnFirstsRow(
            String path, Map<String, Object> first, Map<String, Object> second) throws Exception {
        CompletableFuture<Response> one;
        CompletableFuture<Response> two;
        try (Connection lock = locks.holdVisitLock((String) first.get("clinicId"), (String) first.get("visitId"))) {
            one = CompletableFuture.supplyAsync(() -> postBatch(path, first));
            locks.awaitWaiting("advisory", 1);
            two = CompletableFuture.supplyAsync(() -> postBatch(path, second));
            locks.awaitWaiting("transactionid", 1);
            lock.rollback();
        }
        List<List<Object>> answers = new ArrayList<>();
        for (CompletableFuture<Response> answer : List.of(one, two)) {
            Response r = answer.get(30, TimeUnit.SECONDS);
            answers.add(List.of(r.path("results[0].status"), r.path("results[0].revision")));
        }
        return answers;
    }

    /** A batch of one event, answered 200. */
    private static Response postBatch(String path, Map<String, Object> event) {
        return postBatch(path, List.of(event));
    }

    private static Response postBatch(String path, List<Map<String, Object>> events) {
        return given().contentType(ContentType.JSON)
                .body(events)
                .post(path)
                .then()
                .statusCode(200)
                .extract()
                .response();
    }
}

package io.rapport.db;

import static io.rapport.support.Fixtures.unique;
import static io.rapport.support.Fixtures.visit;
import static io.rapport.support.Fixtures.with;
import static io.rapport.support.Http.postJson;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.rapport.support.FaultProxy;
import io.rapport.support.Http;
import io.rapport.support.LogCapture;
import io.rapport.support.Pools;
import io.rapport.support.Scrape;
import io.rapport.support.TestDatabase;
import io.rapport.support.Tokens;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.logging.Level;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a platform and a load balancer see when the database stalls, goes away, or the network to
 * it drops or slows down: a bounded 503 with Retry-After, readiness DOWN, liveness UP, service
 * again without a restart, and nothing acknowledged lost.
 */
@QuarkusTest
class DatabaseFailureTest {

    /**
     * rapport.db.write-timeout (2.5 s) or the pool's acquisition timeout (2 s), plus the rest of
     * the request; the slack is for a machine shared by several builds.
     */
    static final Duration BOUND = Duration.ofSeconds(4);

    static final String VISITS = "/api/v1/visits";

    @AfterEach
    void databaseIsHealthyAgain() {
        // Whatever a test did, the next test class must find the database as it was.
        TestDatabase.restore();
        assertThat(Http.until2xx(Duration.ofSeconds(30), Http::ready).statusCode())
                .isEqualTo(200);
        Pools.dropBrokenConnections();
    }

    @Test
    void aFrozenDatabaseCostsABounded503AndReadinessNotARestart() {
        String clinic = unique("stall");
        List<String> acknowledged = new ArrayList<>();
        postJson(VISITS, visit(clinic, "before")).then().statusCode(201);
        acknowledged.add("before");

        TestDatabase.freeze();
        try {
            // The first tries stall on pooled connections (write timeout), the later ones on making
            // new ones (acquisition timeout): every one a bounded 503.
            for (int i = 0; i < 4; i++) {
                assertUnavailable(() -> postJson(VISITS, visit(clinic, "during")));
            }
            assertReadinessDownLivenessUp();
        } finally {
            TestDatabase.thaw();
        }

        assertServesAgainWithin10s(clinic, "during", acknowledged);
        assertAllPresent(clinic, acknowledged);
    }

    /**
     * More requests at once than the worker pool has threads (200): those past it waited in the
     * pool's queue for a thread before their own bounded wait for a connection began, so on a
     * frozen database they were answered in waves of 2 s (6 s at 500 at once), and readiness,
     * which needs a worker thread too, as late: 6.5 s here. Past rapport.http.max-in-flight (150)
     * a request is refused at once. How fast the admitted ones are answered is not asserted: one
     * in a few hundred may wait in the connection pool until the database is back (see README).
     */
    @Test
    void aBurstBeyondTheWorkerPoolOnAFrozenDatabaseIsRefusedAtOnceAndReadinessStillAnswers() throws Exception {
        String clinic = unique("burst");
        postJson(VISITS, visit(clinic, "before")).then().statusCode(201);
        int burst = 450;
        HttpClient client =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String authorization = Tokens.bearer(Tokens.suite("burst"));
        ObjectMapper json = new ObjectMapper();
        List<HttpRequest> requests = new ArrayList<>();
        for (int i = 0; i < burst; i++) {
            requests.add(HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + VISITS))
                    .header("Authorization", authorization)
                    .header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(visit(clinic, "b-" + i))))
                    .build());
        }
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        TestDatabase.freeze();
        try {
            for (HttpRequest r : requests) {
                answers.add(client.sendAsync(r, HttpResponse.BodyHandlers.ofString()));
            }
            assertReadinessDownLivenessUp();
            try {
                CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                        .get(10, TimeUnit.SECONDS);
            } catch (TimeoutException stillWaiting) {
                // Answered once the database is back; counted below all the same.
            }
        } finally {
            TestDatabase.thaw();
        }
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        int refusedAtOnce = 0;
        int stored = 0;
        for (CompletableFuture<HttpResponse<String>> a : answers) {
            HttpResponse<String> answer = a.get();
            if (answer.statusCode() == 201) {
                stored++;
                continue;
            }
            assertThat(answer.statusCode()).isEqualTo(503);
            assertThat(answer.headers().firstValue("Retry-After")).isPresent();
            if (answer.body().contains("as many requests as it takes")) {
                refusedAtOnce++;
            }
        }
        // 150 were let in and held while the database was frozen; the other 300 arrived meanwhile.
        assertThat(refusedAtOnce).as("refused at once").isGreaterThanOrEqualTo(250);
        assertThat(Http.until2xx(Duration.ofSeconds(10), Http::ready).statusCode())
                .isEqualTo(200);
        assertThat(given().get("/api/v1/clinics/" + clinic + "/summary")
                        .then()
                        .statusCode(200)
                        .extract()
                        .jsonPath()
                        .getInt("visits"))
                .as("the visit before and every one acknowledged, no other")
                .isEqualTo(1 + stored);
    }

    /**
     * A platform that times out and hangs up on a stalled database frees nothing: its worker
     * thread goes on waiting for the database. Its place under rapport.http.max-in-flight (150)
     * was given back at the hang-up, so every timeout-and-retry let as many again into the worker
     * pool, past the limit and into the pool's queue. Each place is now held until the worker is
     * done, and given back then, so none is lost either.
     */
    @Test
    void aClientThatHangsUpKeepsItsPlaceUntilItsWorkerIsDone() throws Exception {
        String clinic = unique("hangup");
        postJson(VISITS, visit(clinic, "before")).then().statusCode(201);
        // Another test's request may still be finishing.
        assertThat(inFlightWithin(Duration.ofSeconds(10), 0))
                .as("no API request in flight before")
                .isZero();
        int limit = 150;
        String authorization = Tokens.bearer(Tokens.suite("hangup"));
        ObjectMapper json = new ObjectMapper();
        List<Socket> clients = new ArrayList<>();
        TestDatabase.freeze();
        try {
            for (int i = 0; i < limit; i++) {
                byte[] body = json.writeValueAsBytes(visit(clinic, "h-" + i));
                Socket socket = new Socket("localhost", RestAssured.port);
                clients.add(socket);
                String head = "POST " + VISITS + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: "
                        + authorization + "\r\nContent-Type: application/json\r\nContent-Length: "
                        + body.length + "\r\n\r\n";
                socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().write(body);
                socket.getOutputStream().flush();
            }
            assertThat(inFlightWithin(Duration.ofSeconds(1), limit))
                    .as("every one let in")
                    .isEqualTo(limit);
            assertRefusedAsBusy();

            for (Socket socket : clients) {
                socket.close();
            }
            Thread.sleep(300);
            // Their workers wait for the database up to the write or acquisition timeout (2-2.5 s).
            assertThat(inFlight()).as("places held by workers still waiting").isEqualTo(limit);
            assertRefusedAsBusy();
        } finally {
            TestDatabase.thaw();
            for (Socket socket : clients) {
                socket.close();
            }
        }
        assertThat(inFlightWithin(Duration.ofSeconds(10), 0))
                .as("every place given back once its worker was done")
                .isZero();
        postJson(VISITS, visit(clinic, "after")).then().statusCode(201);
    }

    /** The gauge once it reads {@code expected}, or as it reads when {@code within} has passed. */
    private static double inFlightWithin(Duration within, double expected) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        double now = inFlight();
        while (now != expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
            now = inFlight();
        }
        return now;
    }

    private static double inFlight() {
        return Scrape.samples().getOrDefault("rapport_http_requests_in_flight", -1.0);
    }

    private static void assertRefusedAsBusy() {
        Http.Timed probe = Http.timed(() -> postJson(VISITS, visit(unique("probe"), "p")));
        assertThat(probe.response().statusCode()).isEqualTo(503);
        assertThat(probe.response().asString()).contains("as many requests as it takes");
        assertThat(probe.took()).as("refused at once").isLessThan(Duration.ofSeconds(1));
    }

    @Inject
    AgroalDataSource dataSource;

    @ConfigProperty(name = "quarkus.datasource.jdbc.max-size")
    int poolSize;

    /**
     * Under a burst, every pooled connection may be busy; a request that waits out the pool's
     * acquisition timeout is a bounded 503 the platform retries, not a 500 (as it was: the pool's
     * own "Sorry, acquisition timeout!" was not recognised).
     */
    @Test
    void aPoolWithNoFreeConnectionCostsABounded503() throws Exception {
        String clinic = unique("busy");
        List<String> acknowledged = new ArrayList<>();
        postJson(VISITS, visit(clinic, "before")).then().statusCode(201);
        acknowledged.add("before");

        List<Connection> held = new ArrayList<>();
        try {
            for (int i = 0; i < poolSize; i++) {
                held.add(dataSource.getConnection());
            }
            assertUnavailable(() -> postJson(VISITS, visit(clinic, "during")));
            assertUnavailable(() -> given().contentType("application/json")
                    .body(List.of(visit(clinic, "batch-during")))
                    .post(VISITS + "/batch"));
            // A full pool is a busy instance, not a database that is away: it stays in the balancer.
            Http.Timed ready = Http.timed(Http::ready);
            assertThat(ready.response().statusCode())
                    .as(ready.response().asString())
                    .isEqualTo(200);
            assertThat(ready.took()).isLessThan(BOUND);
        } finally {
            for (Connection c : held) {
                c.close();
            }
        }

        assertServesAgainWithin10s(clinic, "during", acknowledged);
        assertAllPresent(clinic, acknowledged);
    }

    @Test
    void aStoppedDatabaseCostsABounded503AndServiceResumesWhenItIsBack() {
        String clinic = unique("outage");
        List<String> acknowledged = new ArrayList<>();
        postJson(VISITS, visit(clinic, "before")).then().statusCode(201);
        acknowledged.add("before");

        String typedIn = "jane-doe-PATIENT-7731";
        String summaryRequest;
        TestDatabase.stopServer();
        try (LogCapture log = LogCapture.atLeast(Level.WARNING)) {
            // The pool may still hold connections the shutdown ended; each costs one failed
            // request. Every answer must be a bounded 503, none a 500 or a hang.
            for (int i = 0; i < 3; i++) {
                assertUnavailable(() -> postJson(VISITS, visit(clinic, "during")));
            }
            // A manager's read of an id typed in by hand, which may be anything, a patient's name
            // and id included: the WARN line names the route, not the address.
            assertUnavailable(() -> given().get("/api/v1/clinics/" + clinic + "/visits/" + typedIn));
            Response summary = given().get("/api/v1/clinics/" + clinic + "/summary");
            assertThat(summary.statusCode()).isEqualTo(503);
            summaryRequest = summary.header("X-Request-Id");
            assertThat(log.lines())
                    .anyMatch(l -> l.startsWith("Database unavailable")
                            && l.endsWith(" /api/v1/clinics/{clinicId}/visits/{visitId}"))
                    .noneMatch(l -> l.contains(typedIn) || l.contains(clinic));
            assertReadinessDownLivenessUp();
        } finally {
            TestDatabase.startServer();
        }

        assertServesAgainWithin10s(clinic, "during", acknowledged);
        assertAllPresent(clinic, acknowledged);
        // The trail's row of the refused summary, written once the database was back, counts no
        // record: it found none to return (it counted one, set before the summary was read).
        assertThat(io.rapport.support.AuditRows.ofClinic(clinic))
                .filteredOn(r -> summaryRequest.equals(r.get("requestId")))
                .singleElement()
                .satisfies(r -> assertThat(r)
                        .containsEntry("route", "/api/v1/clinics/{clinicId}/summary")
                        .containsEntry("status", 503)
                        .containsEntry("records", 0));
    }

    @Test
    void aBlackHoledConnectionCostsABounded503() {
        String clinic = unique("hole");
        List<String> acknowledged = new ArrayList<>();
        postJson(VISITS, visit(clinic, "before")).then().statusCode(201);
        acknowledged.add("before");

        TestDatabase.proxy().blackHole();
        try {
            assertUnavailable(() -> postJson(VISITS, visit(clinic, "during")));
            assertUnavailable(() -> given().contentType("application/json")
                    .body(List.of(visit(clinic, "batch-during")))
                    .post(VISITS + "/batch"));
            assertReadinessDownLivenessUp();
        } finally {
            TestDatabase.proxy().pass();
        }

        assertServesAgainWithin10s(clinic, "during", acknowledged);
        assertAllPresent(clinic, acknowledged);
    }

    /**
     * A partition in the middle of a write: Rapport gives up after the write timeout and closes its
     * connection, but PostgreSQL never hears of it. Its session sat idle in the transaction holding
     * the new visit's key, so every retry of that visit waited for it and answered 503, until TCP
     * keepalive ended the session hours later, with readiness UP all the while.
     * idle_in_transaction_session_timeout ends such a session (5 s in the test profile, 30 s
     * otherwise), and the platform's retry goes through.
     */
    @Test
    void aWriteOrphanedByAPartitionLetsItsRetryThroughOnceTheIdleTimeoutEndsIt() {
        String clinic = unique("orphan");
        // Pooled connections open first, as in service.
        postJson(VISITS, visit(clinic, "warm")).then().statusCode(201);
        String marker = unique("orphan-marker");
        Map<String, Object> orphaned = with(visit(clinic, "v-1"), "providerId", marker);
        TestDatabase.proxy().partitionAfter(marker);
        try {
            assertUnavailable(() -> postJson(VISITS, orphaned));
        } finally {
            TestDatabase.proxy().pass();
        }
        Http.Timed retried = Http.timed(() -> Http.until2xx(Duration.ofSeconds(20), () -> postJson(VISITS, orphaned)));
        assertThat(retried.response().statusCode()).isEqualTo(201);
        assertThat(retried.response().jsonPath().getInt("revision")).isEqualTo(1);
        assertThat(retried.took()).as("until the retry was stored").isLessThan(Duration.ofSeconds(12));
    }

    /**
     * A batch of new visits goes in by COPY. When the database stops answering in the middle of
     * it, the copy waited out the write timeout, then its cancel and the rollback each waited it
     * out again on the same connection: a 503 after 7.5 s. The marker is a provider id, which only
     * the copied rows carry, so the stall comes after the check that none is stored.
     */
    @Test
    void aStallInTheMiddleOfACopyCostsOneBounded503() {
        String clinic = unique("copy-stall");
        // The same path once while the database answers, so the stalled request is timed warm.
        given().contentType("application/json")
                .body(copyBatch(clinic + "-warm", unique("warm")))
                .post(VISITS + "/batch")
                .then()
                .statusCode(200)
                .body("created", org.hamcrest.Matchers.equalTo(150));
        String marker = unique("copy-marker");
        List<Map<String, Object>> batch = copyBatch(clinic, marker);
        TestDatabase.proxy().blackHoleAfter(marker);
        try {
            assertUnavailable(
                    () -> given().contentType("application/json").body(batch).post(VISITS + "/batch"));
        } finally {
            TestDatabase.proxy().pass();
        }
        assertThat(Http.until2xx(Duration.ofSeconds(30), Http::ready).statusCode())
                .isEqualTo(200);
        // Nothing of the refused batch was kept, and the retry stores it whole: the closed
        // connection left the pool with the failed request, so the retry is not answered 503 again.
        given().contentType("application/json")
                .body(batch)
                .post(VISITS + "/batch")
                .then()
                .statusCode(200)
                .body("created", org.hamcrest.Matchers.equalTo(150));
    }

    /** 150 new visits, enough to go in by COPY, all with this provider id. */
    private static List<Map<String, Object>> copyBatch(String clinic, String providerId) {
        List<Map<String, Object>> batch = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            batch.add(with(visit(clinic, "v-" + i), "providerId", providerId));
        }
        return batch;
    }

    @Test
    void aResetConnectionCostsA503AndTheNextTrySucceeds() {
        String clinic = unique("reset");
        List<String> acknowledged = new ArrayList<>();
        // Open pooled connections first, so the reset has something to cut.
        postJson(VISITS, visit(clinic, "before")).then().statusCode(201);
        acknowledged.add("before");

        TestDatabase.proxy().reset();
        try {
            assertUnavailable(() -> postJson(VISITS, visit(clinic, "during")));
        } finally {
            TestDatabase.proxy().pass();
        }
        assertServesAgainWithin10s(clinic, "during", acknowledged);
        assertAllPresent(clinic, acknowledged);
    }

    @Test
    void aSlowNetworkIsServedWhileEveryWaitStaysUnderTheWriteTimeout() {
        String clinic = unique("slow");
        List<String> acknowledged = new ArrayList<>();
        postJson(VISITS, visit(clinic, "warm")).then().statusCode(201);
        acknowledged.add("warm");

        FaultProxy proxy = TestDatabase.proxy();
        try {
            // 50 ms on every packet each way: slow, but every wait is far below the 2.5 s bound.
            proxy.delay(50);
            Response slow = postJson(VISITS, visit(clinic, "slow"));
            assertThat(slow.statusCode()).isEqualTo(201);
            acknowledged.add("slow");

            // 4 s on every packet: no single answer comes within the bound.
            proxy.delay(4000);
            assertUnavailable(() -> postJson(VISITS, visit(clinic, "too-slow")));
        } finally {
            proxy.pass();
        }
        assertServesAgainWithin10s(clinic, "too-slow", acknowledged);
        assertAllPresent(clinic, acknowledged);
    }

    /** A 503 problem with Retry-After, answered within {@link #BOUND}. */
    private static void assertUnavailable(Supplier<Response> call) {
        Http.Timed t = Http.timed(call);
        assertThat(t.took()).as("time to answer").isLessThan(BOUND);
        assertThat(t.response().statusCode()).isEqualTo(503);
        assertThat(t.response().contentType()).startsWith("application/problem+json");
        assertThat(t.response().header("Retry-After")).isNotBlank();
        assertThat(t.response().jsonPath().getString("detail")).contains("retry");
    }

    private static void assertReadinessDownLivenessUp() {
        Http.Timed ready = Http.timed(Http::ready);
        assertThat(ready.took()).as("readiness answer time").isLessThan(BOUND);
        assertThat(ready.response().statusCode()).isEqualTo(503);
        assertThat(ready.response().jsonPath().getString("status")).isEqualTo("DOWN");
        Http.Timed live = Http.timed(Http::live);
        assertThat(live.took()).as("liveness answer time").isLessThan(BOUND);
        assertThat(live.response().statusCode()).isEqualTo(200);
    }

    /** The platform's retry of the refused event goes through within 10 s, as a new visit. */
    private static void assertServesAgainWithin10s(String clinic, String visitId, List<String> acknowledged) {
        Response r = Http.until2xx(Duration.ofSeconds(10), () -> postJson(VISITS, visit(clinic, visitId)));
        assertThat(r.statusCode()).isBetween(200, 201);
        assertThat(r.jsonPath().getInt("revision")).isEqualTo(1);
        acknowledged.add(visitId);
        // Readiness follows within its own probe's bound: a probe the outage left stuck ends first.
        assertThat(Http.until2xx(Duration.ofSeconds(5), Http::ready).statusCode())
                .isEqualTo(200);
    }

    private static void assertAllPresent(String clinic, List<String> acknowledged) {
        for (String id : acknowledged) {
            Map<String, Object> sent = visit(clinic, id);
            given().get("/api/v1/clinics/" + clinic + "/visits/" + id)
                    .then()
                    .statusCode(200)
                    .body("revision", org.hamcrest.Matchers.equalTo(1))
                    .body("faceToFaceSeconds", org.hamcrest.Matchers.equalTo(sent.get("faceToFaceSeconds")));
        }
    }
}

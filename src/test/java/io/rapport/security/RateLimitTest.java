package io.rapport.security;

import static io.rapport.support.Fixtures.unique;
import static io.rapport.support.Fixtures.visit;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.rapport.support.AuditRows;
import io.rapport.support.Db;
import io.rapport.support.Tokens;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The test profile gives the subject {@code throttled-platform} 1 ingest request a second, in
 * bursts of 20. It sends 60 at once: the excess gets 429 with Retry-After, and exactly the visits
 * whose requests were accepted are stored.
 */
@QuarkusTest
class RateLimitTest {

    @Inject
    Db db;

    private record Sent(String visitId, int status, String retryAfter, String contentType) {}

    /**
     * The test JVM is started with {@code RAPPORT_INGEST_SUBJECTS__ENV_PLATFORM__RATE_LIMIT=1} and
     * {@code …_BURST=3} (pom.xml), which SmallRye Config hands over under the key {@code
     * env.platform}: the subject env-platform gets that limit. Eight requests in a row, well inside
     * a second each, can be admitted only three at once plus one a second.
     */
    @Test
    void aSubjectsLimitSetByEnvironmentVariableApplies() {
        String clinic = unique("c");
        String token = Tokens.bearer(Tokens.token("env-platform", List.of(Roles.INGEST), List.of(clinic)));
        long started = System.nanoTime();
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            statuses.add(given().header("Authorization", token)
                    .contentType(ContentType.JSON)
                    .body(List.of())
                    .post("/api/v1/visits/batch")
                    .statusCode());
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        assertThat(statuses).containsOnly(200, 429);
        assertThat(statuses.stream().filter(s -> s == 200).count())
                .as("admitted in %.1f s", seconds)
                .isLessThanOrEqualTo(3 + (long) Math.ceil(seconds) + 1)
                .isGreaterThanOrEqualTo(3);
        assertThat(statuses).contains(429);
    }

    @Test
    void overTheLimitIs429WithRetryAfterAndNothingStored() throws Exception {
        String clinic = unique("c");
        String token = Tokens.bearer(Tokens.token("throttled-platform", List.of(Roles.INGEST), List.of(clinic)));
        long started = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<List<Sent>>> workers = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            int worker = w;
            workers.add(pool.submit(() -> {
                List<Sent> sent = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    // Empty batches and real visits in turn, so refused and accepted writes can both be checked.
                    boolean real = i % 2 == 0;
                    String visitId = real ? "v-" + worker + "-" + i : null;
                    Response r = given().header("Authorization", token)
                            .contentType(ContentType.JSON)
                            .body(real ? visit(clinic, visitId) : List.of())
                            .post(real ? "/api/v1/visits" : "/api/v1/visits/batch");
                    sent.add(new Sent(visitId, r.statusCode(), r.header("Retry-After"), r.contentType()));
                }
                return sent;
            }));
        }
        List<Sent> all = new ArrayList<>();
        for (Future<List<Sent>> f : workers) {
            all.addAll(f.get());
        }
        pool.shutdown();
        double seconds = (System.nanoTime() - started) / 1e9;

        List<Sent> refused = all.stream().filter(s -> s.status() == 429).toList();
        assertThat(refused)
                .as("60 requests at once exceed a burst of 20 at 1 a second")
                .isNotEmpty();
        assertThat(all).allMatch(s -> s.status() == 429 || s.status() == 200 || s.status() == 201);
        // A bucket of 20 refilled at 1 a second admits at most 20 + the seconds elapsed (+1 for rounding).
        assertThat(all.size() - refused.size()).isLessThanOrEqualTo(20 + (int) Math.ceil(seconds) + 1);
        for (Sent s : refused) {
            assertThat(s.contentType()).startsWith("application/problem+json");
            assertThat(Integer.parseInt(s.retryAfter())).isPositive();
        }
        List<String> stored = all.stream()
                .filter(s -> s.visitId() != null && s.status() == 201)
                .map(Sent::visitId)
                .toList();
        assertThat(db.count("SELECT count(*) FROM visit WHERE clinic_id = ?", clinic))
                .isEqualTo(stored.size());
        for (Sent s : refused) {
            if (s.visitId() != null) {
                assertThat(db.count(
                                "SELECT count(*) FROM visit WHERE clinic_id = ? AND visit_id = ?", clinic, s.visitId()))
                        .isZero();
            }
        }
        // Each refused visit's audit row names the clinic it was for, as the accepted ones' do: the
        // limit was applied before the resource named the clinic.
        assertThat(AuditRows.ofClinic(clinic).stream()
                        .filter(r -> Integer.valueOf(429).equals(r.get("status"))))
                .hasSize((int) refused.stream().filter(s -> s.visitId() != null).count());
        // Another subject is not held back by this one's bucket.
        given().contentType(ContentType.JSON)
                .body(List.of())
                .post("/api/v1/visits/batch")
                .then()
                .statusCode(200);
    }
}

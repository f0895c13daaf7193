package io.rapport.visit;

import static io.rapport.support.Fixtures.srs;
import static io.rapport.support.Fixtures.unique;
import static io.rapport.support.Fixtures.visit;
import static io.rapport.support.Fixtures.with;
import static io.rapport.support.Fixtures.withoutOptionalFields;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.rapport.support.Db;
import io.rapport.support.Locks;
import io.rapport.support.Scrape;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Batches large enough for VisitStore to copy them when none of their visits is stored: answered
 * and stored exactly as the upsert stores them, and falling back to it when a visit turns out to
 * be stored, before the copy or while it runs.
 */
@QuarkusTest
class VisitCopyTest {

    private static final int SIZE = VisitStore.COPY_FROM + 20;

    @Inject
    Db db;

    @Inject
    Locks locks;

    /**
     * Visit f-000 ... f-(n-1): even ones with every optional field absent (stored as nulls), odd
     * ones PHONE; documentationSeconds 200 + i, so the clinic's facts sum to 200n + n(n-1)/2.
     */
    private static List<Map<String, Object>> fillers(String clinic, int n) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, Object> v = with(visit(clinic, "f-%03d".formatted(i)), "documentationSeconds", 200 + i);
            out.add(i % 2 == 0 ? withoutOptionalFields(v) : with(v, "modality", "PHONE"));
        }
        return out;
    }

    @Test
    void aLargeBatchOfNewVisitsIsStoredWholeAndItsRetryChangesNothing() {
        String clinic = unique("c");
        List<Map<String, Object>> batch = fillers(clinic, SIZE);
        // A rating that came before its visit: the copy's triggers give it its fact row.
        given().contentType(ContentType.JSON)
                .body(srs(clinic, "f-001", Instant.now().minusSeconds(60).toString(), 9, 9, 9, 8.5))
                .post("/api/v1/ratings")
                .then()
                .statusCode(201);
        List<Double> attempts = copyAttempts();
        Response first = postBatch(batch);
        assertThat(first.<List<String>>path("results.status")).hasSize(SIZE).containsOnly("created");
        assertThat(first.<List<Integer>>path("results.revision")).containsOnly(1);

        given().get("/api/v1/clinics/" + clinic + "/visits/f-000")
                .then()
                .statusCode(200)
                .body("scheduledStart", nullValue())
                .body("afterHoursDocumentationSeconds", nullValue())
                .body("responseLatencySeconds", nullValue())
                .body("patientTalkShare", nullValue())
                .body("connectionDrops", nullValue())
                .body("documentationSeconds", equalTo(200))
                .body("revision", equalTo(1));
        given().get("/api/v1/clinics/" + clinic + "/visits/f-001")
                .then()
                .statusCode(200)
                .body("modality", equalTo("PHONE"))
                .body("responseLatencySeconds", equalTo(2.5))
                .body("patientTalkShare", equalTo(0.4))
                .body("connectionDrops", equalTo(1))
                .body("afterHoursDocumentationSeconds", equalTo(120))
                .body("documentationSeconds", equalTo(201));
        // 120 visits: 200 * 120 + (0 + ... + 119) = 24,000 + 7,140.
        assertThat(db.count("SELECT sum(documentation_seconds)::bigint FROM visit_fact WHERE clinic_id = ?", clinic))
                .isEqualTo(31_140);
        // 9 + 9 + 9 + 8.5, beside its visit's documentation time.
        assertThat(db.string(
                        "SELECT total || ' ' || documentation_seconds FROM rating_fact WHERE clinic_id = ?", clinic))
                .isEqualTo("35.5 201");

        assertThat(copyAttempts()).as("copied, met a stored key").isEqualTo(plus(attempts, 1, 0));

        Collections.reverse(batch);
        Response retry = postBatch(batch);
        assertThat(retry.<List<String>>path("results.status")).hasSize(SIZE).containsOnly("unchanged");
        assertThat(retry.<List<Integer>>path("results.revision")).containsOnly(1);
        assertThat(db.count("SELECT count(*) FROM visit WHERE clinic_id = ?", clinic))
                .isEqualTo(SIZE);
        assertThat(copyAttempts()).as("a retry is not copied").isEqualTo(plus(attempts, 1, 0));
    }

    @Test
    void aLargeBatchWithOneStoredVisitIsAnsweredItemByItem() {
        String clinic = unique("c");
        Instant noon = Instant.parse("2026-01-05T12:00:00Z");
        Map<String, Object> stored = with(visit(clinic, "a"), "recordedAt", noon.toString());
        assertThat(postBatch(List.of(stored)).<String>path("results[0].status")).isEqualTo("created");
        List<Map<String, Object>> batch = new ArrayList<>(fillers(clinic, SIZE - 1));
        batch.add(with(stored, "recordedAt", noon.plusSeconds(60).toString(), "connectionDrops", 7));
        List<Double> attempts = copyAttempts();
        Response answer = postBatch(batch);
        assertThat(copyAttempts()).as("not copied: one visit is stored").isEqualTo(attempts);
        assertThat(answer.<List<String>>path("results.status").subList(0, SIZE - 1))
                .containsOnly("created");
        assertThat(answer.<String>path("results[%d].status".formatted(SIZE - 1)))
                .isEqualTo("updated");
        assertThat(answer.<Integer>path("results[%d].revision".formatted(SIZE - 1)))
                .isEqualTo(2);
        assertThat(db.count("SELECT count(*) FROM visit_fact WHERE clinic_id = ?", clinic))
                .isEqualTo(SIZE);
    }

    /**
     * The first batch stores a, b and c and is held open after writing (the test holds the
     * clinic's visit locks). The large batch sent next finds none of its visits stored, so it
     * copies, and the copy waits on a's key; when the first commits, the copy meets a stored key
     * and is rolled back, and the upsert answers a, b and c from what the first committed (the
     * same, a later correction, an earlier one) and creates the rest.
     */
    @Test
    void aLargeBatchWhoseVisitAnotherStoredWhileItCopiedIsAnsweredFromWhatThatOneCommitted() throws Exception {
        String clinic = unique("c");
        Instant noon = Instant.parse("2026-01-05T12:00:00Z");
        Map<String, Object> a = with(visit(clinic, "a"), "recordedAt", noon.toString());
        Map<String, Object> b = with(visit(clinic, "b"), "recordedAt", noon.toString());
        Map<String, Object> c = with(visit(clinic, "c"), "recordedAt", noon.toString());
        List<Map<String, Object>> second = new ArrayList<>(List.of(
                a,
                with(b, "recordedAt", noon.plusSeconds(60).toString(), "connectionDrops", 6),
                with(c, "recordedAt", noon.minusSeconds(60).toString(), "connectionDrops", 9)));
        second.addAll(fillers(clinic, SIZE - 3));
        List<Double> attempts = copyAttempts();
        CompletableFuture<Response> firstAnswer;
        CompletableFuture<Response> secondAnswer;
        try (Connection lock = locks.holdAllVisitLocks(clinic)) {
            firstAnswer = CompletableFuture.supplyAsync(() -> postBatch(List.of(a, b, c)));
            locks.awaitWaiting("advisory", 1);
            secondAnswer = CompletableFuture.supplyAsync(() -> postBatch(second));
            locks.awaitWaiting("transactionid", 1);
            lock.rollback();
        }
        assertThat(firstAnswer.get(30, TimeUnit.SECONDS).<List<String>>path("results.status"))
                .containsExactly("created", "created", "created");
        Response answer = secondAnswer.get(30, TimeUnit.SECONDS);
        assertThat(copyAttempts()).as("the copy met a key stored meanwhile").isEqualTo(plus(attempts, 0, 1));
        List<String> statuses = answer.path("results.status");
        List<Integer> revisions = answer.path("results.revision");
        assertThat(statuses.subList(0, 3)).containsExactly("unchanged", "updated", "stale");
        assertThat(revisions.subList(0, 3)).containsExactly(1, 2, 1);
        assertThat(statuses.subList(3, SIZE)).containsOnly("created");
        assertThat(revisions.subList(3, SIZE)).containsOnly(1);
        given().get("/api/v1/clinics/" + clinic + "/visits/b").then().body("connectionDrops", equalTo(6));
        given().get("/api/v1/clinics/" + clinic + "/visits/c").then().body("connectionDrops", equalTo(1));
        assertThat(db.count("SELECT count(*) FROM visit_fact WHERE clinic_id = ?", clinic))
                .isEqualTo(SIZE);
    }

    /** How many large batches of visits were copied, and how many met a key stored meanwhile. */
    private static List<Double> copyAttempts() {
        Map<String, Double> samples = Scrape.samples();
        return List.of(
                samples.getOrDefault("rapport_ingest_copy_attempts_total{kind=\"visit\",result=\"copied\"}", 0.0),
                samples.getOrDefault("rapport_ingest_copy_attempts_total{kind=\"visit\",result=\"conflict\"}", 0.0));
    }

    private static List<Double> plus(List<Double> before, double copied, double conflicts) {
        return List.of(before.get(0) + copied, before.get(1) + conflicts);
    }

    private static Response postBatch(List<Map<String, Object>> events) {
        return given().contentType(ContentType.JSON)
                .body(events)
                .post("/api/v1/visits/batch")
                .then()
                .statusCode(200)
                .extract()
                .response();
    }
}

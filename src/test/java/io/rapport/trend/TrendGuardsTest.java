package io.rapport.trend;

import static io.rapport.support.Fixtures.unique;
import static io.rapport.support.Fixtures.visit;
import static io.rapport.support.Fixtures.with;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.rapport.support.Contract;
import io.restassured.http.ContentType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Guards found in review: offsets as zones, suppression over complete ratings, concurrent arrival. */
@QuarkusTest
class TrendGuardsTest {

    @Test
    void aFixedOffsetIsNotAcceptedAsATimeZone() {
        // Java and PostgreSQL read "+05:00" with opposite signs; only region names are safe.
        for (String tz : List.of("+05:00", "UTC+5", "GMT-03:00")) {
            given().queryParam("tz", tz)
                    .get("/api/v1/clinics/" + unique("c") + "/summary")
                    .then()
                    .statusCode(400)
                    .contentType("application/problem+json")
                    .body("violations.field", hasItem("tz"));
        }
        given().queryParam("tz", "UTC")
                .get("/api/v1/clinics/" + unique("c") + "/summary")
                .then()
                .statusCode(200);
        given().filter(Contract.invalidRequest())
                .queryParam("from", "+300000-01-01")
                .queryParam("to", "+300000-01-02")
                .get("/api/v1/clinics/" + unique("c") + "/summary")
                .then()
                .statusCode(400)
                .body("violations.field", hasItem("from"));
    }

    @Test
    void ratingStatisticsNeedFiveCompleteRatings() {
        String clinic = unique("c");
        // Five CARE responses, four with three "does not apply" (incomplete): one scored total only.
        for (int i = 0; i < 5; i++) {
            String visitId = "v" + i;
            given().contentType(ContentType.JSON)
                    .body(visit(clinic, visitId))
                    .post("/api/v1/visits")
                    .then()
                    .statusCode(201);
            List<Double> items = i == 0
                    ? List.of(4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0)
                    : Arrays.asList(4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, null, null, null);
            given().contentType(ContentType.JSON)
                    .body(Map.of(
                            "clinicId",
                            clinic,
                            "visitId",
                            visitId,
                            "instrument",
                            "CARE",
                            "items",
                            items,
                            "submittedAt",
                            "2026-01-05T10:00:00Z"))
                    .post("/api/v1/ratings")
                    .then()
                    .statusCode(201);
        }
        given().get("/api/v1/clinics/" + clinic + "/summary")
                .then()
                .statusCode(200)
                .body("ratings.CARE.responses", equalTo(5))
                .body("ratings.CARE.meanTotal", nullValue())
                .body("ratings.CARE.suppressed", equalTo(true));
    }

    @Test
    void aRatingAndItsVisitPostedTogetherStillRaiseTheAlert() throws Exception {
        String clinic = unique("c");
        int pairs = 12;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            String visitId = "v" + i;
            // SRS 8 x 4 = 32, below the cutoff of 36: each pair must end with one open alert.
            calls.add(pool.submit(() -> given().contentType(ContentType.JSON)
                    .body(with(visit(clinic, visitId), "patientId", "p-" + visitId))
                    .post("/api/v1/visits")
                    .statusCode()));
            calls.add(pool.submit(() -> given().contentType(ContentType.JSON)
                    .body(Map.of(
                            "clinicId",
                            clinic,
                            "visitId",
                            visitId,
                            "instrument",
                            "SRS",
                            "items",
                            List.of(8, 8, 8, 8),
                            "submittedAt",
                            "2026-01-05T10:00:00Z"))
                    .post("/api/v1/ratings")
                    .statusCode()));
        }
        for (Future<Integer> f : calls) {
            assertThat(f.get()).isEqualTo(201);
        }
        pool.shutdown();
        given().queryParam("size", 200)
                .get("/api/v1/clinics/" + clinic + "/alerts")
                .then()
                .statusCode(200)
                .body("total", equalTo(pairs));
    }
}

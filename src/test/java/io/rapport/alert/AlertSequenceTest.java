package io.rapport.alert;

import static io.rapport.support.Fixtures.unique;
import static io.rapport.support.Fixtures.visit;
import static io.rapport.support.Fixtures.with;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The drop rule over a patient's sequence with one provider, when a visit moves between sequences. */
@QuarkusTest
class AlertSequenceTest {

    private static final Instant DAY0 =
            Instant.now().truncatedTo(ChronoUnit.DAYS).minus(20, ChronoUnit.DAYS);

    private static void postVisit(String clinic, String visitId, String patient, int day, int status) {
        Instant start = DAY0.plus(day, ChronoUnit.DAYS).plus(9, ChronoUnit.HOURS);
        given().contentType(ContentType.JSON)
                .body(with(
                        visit(clinic, visitId),
                        "providerId",
                        "dr-p",
                        "patientId",
                        patient,
                        "scheduledStart",
                        start.toString(),
                        "startedAt",
                        start.toString(),
                        "endedAt",
                        start.plusSeconds(1800).toString()))
                .post("/api/v1/visits")
                .then()
                .statusCode(status);
    }

    private static void postSrs(String clinic, String visitId, Double... items) {
        given().contentType(ContentType.JSON)
                .body(Map.of(
                        "clinicId",
                        clinic,
                        "visitId",
                        visitId,
                        "instrument",
                        "SRS",
                        "items",
                        List.of(items),
                        "submittedAt",
                        DAY0.toString()))
                .post("/api/v1/ratings")
                .then()
                .statusCode(201);
    }

    @Test
    void aVisitMovedToAnotherPatientReEvaluatesTheSequenceItLeft() {
        String clinic = unique("c");
        postVisit(clinic, "a", "pat-1", 1, 201);
        postVisit(clinic, "b", "pat-1", 2, 201);
        postVisit(clinic, "c", "pat-1", 3, 201);
        // Totals by hand: a 9 + 9 + 9 + 9.5 = 36.5, b 10 + 10 + 9.5 + 9.5 = 39, c 9.5 * 3 + 9 = 37.5.
        postSrs(clinic, "a", 9.0, 9.0, 9.0, 9.5);
        postSrs(clinic, "b", 10.0, 10.0, 9.5, 9.5);
        postSrs(clinic, "c", 9.5, 9.5, 9.5, 9.0);
        // c follows b: 39 -> 37.5 is a drop of 1.5, at least the SRS threshold of 1.
        given().get("/api/v1/clinics/" + clinic + "/visits/c/ratings/SRS")
                .then()
                .body("alerts.reason", equalTo(List.of("DROP_FROM_PREVIOUS")))
                .body("alerts[0].previousTotal", equalTo(39.0));

        // Visit b was really another patient's. pat-1's sequence is now a, c: 36.5 -> 37.5 is no drop.
        postVisit(clinic, "b", "pat-2", 2, 200);
        given().get("/api/v1/clinics/" + clinic + "/visits/c/ratings/SRS")
                .then()
                .body("alerts", empty());
        given().queryParam("status", "resolved")
                .get("/api/v1/clinics/" + clinic + "/alerts")
                .then()
                .body("items.visitId", equalTo(List.of("c")))
                .body("items.reason", equalTo(List.of("DROP_FROM_PREVIOUS")));
        // And b, first of pat-2's sequence, has no previous: no alert either.
        given().get("/api/v1/clinics/" + clinic + "/visits/b/ratings/SRS")
                .then()
                .body("alerts", empty());

        // Moved back, the drop returns on the same alert row, reopened.
        postVisit(clinic, "b", "pat-1", 2, 200);
        given().get("/api/v1/clinics/" + clinic + "/visits/c/ratings/SRS")
                .then()
                .body("alerts.reason", equalTo(List.of("DROP_FROM_PREVIOUS")))
                .body("alerts[0].status", equalTo("OPEN"));
        given().queryParam("status", "all")
                .get("/api/v1/clinics/" + clinic + "/alerts")
                .then()
                .body("total", equalTo(1));
    }
}

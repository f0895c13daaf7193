package io.rapport.demo;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The demo clinic as dev mode seeds it, stored whole through the ingest pipeline: every visit, and
 * ratings and alerts with them. (Dev mode seeds it at start; the suite runs the same seeding by
 * hand, on a day of its own, since the test profile starts none.)
 */
@QuarkusTest
class DemoSeederTest {

    @Inject
    DemoSeeder seeder;

    @Test
    void seedsEveryVisitOfItsTwelveWeeks() {
        LocalDate today = LocalDate.of(2025, 6, 11); // a Wednesday
        seeder.seed(new Random(42), today);

        // By hand: twelve weeks back to Monday 2025-03-17, up to Tuesday 2025-06-10; every week
        // Monday to Friday 22 visits a day and Saturday 6, no Sunday: 12 weeks of 116, then
        // Monday and Tuesday of the thirteenth, 44 more.
        assertThat(today.minusWeeks(12).with(DayOfWeek.MONDAY)).isEqualTo(LocalDate.of(2025, 3, 17));
        int expected = 12 * (5 * 22 + 6) + 2 * 22;
        JsonPath summary = given().queryParam("from", "2025-03-17")
                .queryParam("to", "2025-06-11")
                .get("/api/v1/clinics/" + DemoSeeder.CLINIC + "/summary")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(summary.getInt("visits")).isEqualTo(expected);
        assertThat(summary.getInt("ratings.SRS.responses")).isPositive();
        assertThat(summary.getInt("openAlerts")).isPositive();
    }
}

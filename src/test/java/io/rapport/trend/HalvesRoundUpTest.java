package io.rapport.trend;

import static io.rapport.support.Fixtures.unique;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.rapport.support.Fixtures;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Figures whose exact value is a half at the rounding digit round up in every answer, as the
 * README's "half-up" and a manager's own arithmetic have it, though the double the service
 * computes lies just below the half (0.40655 is 0.40654999999999997, the median 2.35 is
 * 2.3499999999999996, the mean 36.575 is 36.574999999999996). Worked by hand below.
 */
@QuarkusTest
class HalvesRoundUpTest {

    private static final Map<String, String> WEEK = Map.of("from", "2026-10-05", "to", "2026-10-12");

    /** The fourth SRS item of each visit's rating; the other three are 10 each. */
    private static final double[] FOURTH_ITEM = {4.3, 9.5, 0.9, 6.2, 9.7, 9.2, 9.1, 3.7};

    @Test
    void exactHalvesRoundUpInTheSummaryTheProvidersAndTheTrends() {
        String clinic = unique("halves");
        post(clinic);

        // Talk share: (0.4065 + 0.4066) / 2 = 0.40655, 4 decimals. Latency p50 of 2.3 and 2.4:
        // 2.35, 1 decimal. SRS totals 34.3, 39.5, 30.9, 36.2, 39.7, 39.2, 39.1, 33.7: sum 292.6,
        // mean 36.575, 2 decimals.
        JsonPath summary = get(clinic, "/summary", WEEK);
        assertThat(summary.getLong("visits")).isEqualTo(8);
        assertThat(summary.getDouble("patientTalkShare.mean")).isEqualTo(0.4066);
        assertThat(summary.getDouble("responseLatencySeconds.p50")).isEqualTo(2.4);
        assertThat(summary.getDouble("ratings.SRS.meanTotal")).isEqualTo(36.58);

        JsonPath providers = get(clinic, "/providers", WEEK);
        assertThat(providers.getDouble("clinic.patientTalkShareMean")).isEqualTo(0.4066);
        assertThat(providers.getDouble("clinic.responseLatencySecondsP50")).isEqualTo(2.4);
        assertThat(providers.getDouble("providers[0].ratings.SRS.meanTotal")).isEqualTo(36.58);

        assertThat(trendValue(clinic, "patientTalkShare", "mean")).isEqualTo(0.4066);
        assertThat(trendValue(clinic, "responseLatencySeconds", "p50")).isEqualTo(2.4);
        assertThat(trendValue(clinic, "SRS.total", "mean")).isEqualTo(36.58);
    }

    /** Eight visits in the week of 2026-10-05, one provider; only the first two carry talk share and latency. */
    private static void post(String clinic) {
        List<Map<String, Object>> visits = new ArrayList<>();
        for (int i = 0; i < FOURTH_ITEM.length; i++) {
            Map<String, Object> v = Fixtures.withoutOptionalFields(Fixtures.startingAt(
                    Fixtures.with(Fixtures.visit(clinic, "v" + i), "providerId", "dr-half", "patientId", "p-" + i),
                    Instant.parse("2026-10-06T10:00:00Z").plusSeconds(3600L * i)));
            if (i < 2) {
                v = Fixtures.with(
                        v, "patientTalkShare", i == 0 ? 0.4065 : 0.4066, "responseLatencySeconds", i == 0 ? 2.3 : 2.4);
            }
            visits.add(v);
        }
        given().contentType(ContentType.JSON)
                .body(visits)
                .post("/api/v1/visits/batch")
                .then()
                .statusCode(200)
                .body("created", org.hamcrest.Matchers.equalTo(visits.size()));
        List<Map<String, Object>> ratings = new ArrayList<>();
        for (int i = 0; i < FOURTH_ITEM.length; i++) {
            ratings.add(Fixtures.srs(clinic, "v" + i, "2026-10-06T20:00:00Z", 10, 10, 10, FOURTH_ITEM[i]));
        }
        given().contentType(ContentType.JSON)
                .body(ratings)
                .post("/api/v1/ratings/batch")
                .then()
                .statusCode(200)
                .body("created", org.hamcrest.Matchers.equalTo(ratings.size()));
    }

    private static double trendValue(String clinic, String metric, String stat) {
        JsonPath json = get(
                clinic, "/trends", Map.of("metric", metric, "stat", stat, "from", "2026-10-05", "to", "2026-10-12"));
        assertThat(json.getList("series[0].points")).hasSize(1);
        return json.getDouble("series[0].points[0].value");
    }

    private static JsonPath get(String clinic, String endpoint, Map<String, String> query) {
        var r = given().accept(ContentType.JSON).queryParams(query).get("/api/v1/clinics/" + clinic + endpoint);
        r.then().statusCode(200);
        return r.jsonPath();
    }
}

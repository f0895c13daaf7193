package io.rapport.trend;

import static io.rapport.support.Fixtures.unique;
import static io.rapport.support.Fixtures.visit;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.rapport.support.Scrape;
import io.restassured.http.ContentType;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Manager queries go through the "reports" datasource when it has a URL. The test profile points
 * it at the same server as the main one (a replica of itself), so what ingest wrote is there to
 * read; the pool's own acquire counter shows which datasource the answer came through.
 */
@QuarkusTest
class TrendReadReplicaTest {

    private static final Pattern REPORTS_ACQUIRED =
            Pattern.compile("(?m)^agroal_acquire_count_total\\{[^}]*datasource=\"reports\"[^}]*\\} (\\S+)$");

    private static double reportsAcquired() {
        Matcher m = REPORTS_ACQUIRED.matcher(Scrape.text());
        assertThat(m.find()).as("the reports pool's acquire counter is scraped").isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void summaryReadsThroughTheReportsDatasource() {
        String clinic = unique("replica");
        given().contentType(ContentType.JSON)
                .body(visit(clinic, "r1"))
                .post("/api/v1/visits")
                .then()
                .statusCode(201);
        double before = reportsAcquired();

        given().get("/api/v1/clinics/" + clinic + "/summary")
                .then()
                .statusCode(200)
                .body("visits", org.hamcrest.Matchers.equalTo(1));
        given().get("/api/v1/clinics/" + clinic + "/drivers?instrument=SRS")
                .then()
                .statusCode(200);

        // Two connections each: their halves run at once, the second on a helper connection that
        // shares the first one's snapshot (TrendSnapshotTest).
        assertThat(reportsAcquired() - before).isEqualTo(4.0);
    }
}

package io.rapport.openapi;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The committed copy of the document is what reviewers diff, generators and linters read: it must be
 * the one the service serves.
 */
@QuarkusTest
class OpenApiDocumentTest {

    static final Path COMMITTED = Path.of("openapi/rapport-v1.yaml");

    /** Set to true to write the served document over the committed copy instead of comparing. */
    static final String REFRESH = "openapi.refresh";

    static final String REFRESH_COMMAND =
            "./mvnw test -Dtest=OpenApiDocumentTest -D" + REFRESH + "=true && git diff " + COMMITTED;

    @Test
    void servedDocumentIsTheCommittedCopy() throws IOException {
        String served =
                given().get("/q/openapi").then().statusCode(200).extract().asString();
        if (Boolean.getBoolean(REFRESH)) {
            Files.writeString(COMMITTED, served);
            return;
        }
        String committed = Files.exists(COMMITTED) ? Files.readString(COMMITTED) : "";
        assertThat(served)
                .as("The served OpenAPI document differs from " + COMMITTED + ". If the API change is intended,"
                        + " refresh the copy and review its diff:\n  " + REFRESH_COMMAND + "\n")
                .isEqualTo(committed);
    }

    @Test
    void everyOperationIsNamedAndAnswersTheSharedProblems() {
        JsonPath doc = given().accept("application/json")
                .get("/q/openapi?format=json")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        Map<String, Map<String, Map<String, Object>>> paths = doc.getMap("paths");
        List<String> ids = new ArrayList<>();
        paths.forEach((path, operations) -> operations.forEach((method, op) -> {
            String where = method.toUpperCase() + " " + path;
            assertThat(op).as(where).containsKeys("operationId", "summary", "description", "tags", "security");
            ids.add((String) op.get("operationId"));
            @SuppressWarnings("unchecked")
            Map<String, Object> responses = (Map<String, Object>) op.get("responses");
            assertThat(responses).as(where).containsKeys("401", "403", "406", "503");
            if (op.containsKey("requestBody")) {
                assertThat(responses).as(where).containsKeys("400", "413", "415");
            }
            if (path.contains("{")) {
                assertThat(responses).as(where).containsKey("404");
            }
            boolean ingest = method.equals("post") && path.matches("/api/v1/(visits|ratings)(/batch)?");
            assertThat(responses.containsKey("429")).as(where + " rate limited").isEqualTo(ingest);
        }));
        assertThat(ids)
                .doesNotHaveDuplicates()
                .contains(
                        "ingestVisit",
                        "ingestVisitBatch",
                        "getVisit",
                        "ingestRating",
                        "ingestRatingBatch",
                        "getRating",
                        "getSummary",
                        "getTrends",
                        "getProviderComparison",
                        "getDrivers",
                        "listAlerts",
                        "acknowledgeAlert",
                        "listInstruments",
                        "getInstrument",
                        "registerInstrument");
        assertThat(doc.getString("components.securitySchemes.bearer.scheme")).isEqualTo("bearer");
        assertThat(doc.getString("components.securitySchemes.bearer.bearerFormat"))
                .isEqualTo("JWT");
    }
}

package io.rapport;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/** Health, OpenAPI and Swagger UI: what ops and integrators reach before any data exists. */
@QuarkusTest
class ServiceEndpointsTest {

    private static int managementPort() {
        return ConfigProvider.getConfig()
                .getOptionalValue("quarkus.management.test-port", Integer.class)
                .orElse(9001);
    }

    @Test
    void healthIsServedOnTheManagementPortAndReadinessChecksTheDatabase() {
        given().port(managementPort())
                .get("/q/health/live")
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"));
        given().port(managementPort())
                .get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem(containsString("Database")));
    }

    @Test
    void healthAndMetricsAreNotOnThePublicPort() {
        given().get("/q/health/ready").then().statusCode(404);
        given().get("/q/metrics").then().statusCode(404);
    }

    @Test
    void openApiDescribesTheIngestEndpointsWithExamples() {
        given().accept("application/json")
                .get("/q/openapi")
                .then()
                .statusCode(200)
                .body("paths.'/api/v1/visits'.post.requestBody.content.'application/json'.examples", notNullValue())
                .body(
                        "paths.'/api/v1/visits/batch'.post.requestBody.content.'application/json'.examples",
                        notNullValue())
                .body("paths.'/api/v1/clinics/{clinicId}/visits/{visitId}'.get.responses.'404'", notNullValue());
    }

    @Test
    void swaggerUiIsServed() {
        given().get("/q/swagger-ui/").then().statusCode(200).body(containsString("swagger"));
    }
}

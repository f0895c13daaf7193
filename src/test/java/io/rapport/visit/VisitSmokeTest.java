package io.rapport.visit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.rapport.support.Fixtures;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

@QuarkusTest
class VisitSmokeTest {
    @Test
    void createsAndReads() {
        String clinic = Fixtures.unique("c");
        given().contentType(ContentType.JSON).body(Fixtures.visit(clinic, "v1"))
                .when().post("/api/v1/visits")
                .then().log().ifValidationFails().statusCode(201);
        given().when().get("/api/v1/clinics/" + clinic + "/visits/v1")
                .then().statusCode(200).body("faceToFaceShare", equalTo(2f / 3));
    }
}

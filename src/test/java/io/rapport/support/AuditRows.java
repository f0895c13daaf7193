package io.rapport.support;

import static io.restassured.RestAssured.given;

import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.util.List;
import java.util.Map;

/** The audit trail as an admin reads it over HTTP, for tests that check what a request left there. */
public final class AuditRows {

    private AuditRows() {}

    /** The newest 500 rows naming the clinic, read with the suite's token (every role, every clinic). */
    public static List<Map<String, Object>> ofClinic(String clinic) {
        return page(null, clinic).getList("items");
    }

    /**
     * The newest page of 500 rows, with its {@code total}: read with the given {@code Authorization}
     * value (the suite's token when null), of one clinic or, when null, of all the token may read.
     */
    public static JsonPath page(String authorization, String clinic) {
        RequestSpecification request = given().queryParam("size", 500);
        if (authorization != null) {
            request = request.header("Authorization", authorization);
        }
        if (clinic != null) {
            request = request.queryParam("clinicId", clinic);
        }
        return request.get("/api/v1/audit").then().statusCode(200).extract().jsonPath();
    }
}

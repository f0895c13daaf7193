package io.rapport.support;

import static io.restassured.RestAssured.given;

import java.util.List;
import java.util.Map;

/** The audit trail as an admin reads it over HTTP, for tests that check what a request left there. */
public final class AuditRows {

    private AuditRows() {}

    /** The newest 500 rows naming the clinic, read with the suite's token (every role, every clinic). */
    public static List<Map<String, Object>> ofClinic(String clinic) {
        return given().queryParam("clinicId", clinic)
                .queryParam("size", 500)
                .get("/api/v1/audit")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("items");
    }
}

package io.rapport.support;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

/** The contract check fails the calls it should: without this, a green suite would prove nothing. */
@QuarkusTest
class ContractTest {

    @Test
    void aRequestOutsideTheDocumentFailsUnlessMarked() {
        var unknownField = Fixtures.with(Fixtures.visit(Fixtures.unique("c"), "v-1"), "faceToFaceSecs", 10);
        AssertionError e = catchThrowableOfType(
                AssertionError.class,
                () -> given().contentType(ContentType.JSON).body(unknownField).post("/api/v1/visits"));
        assertThat(e.getMessage())
                .contains("The request of POST")
                .contains("faceToFaceSecs")
                .contains("Contract.invalidRequest()");

        given().filter(Contract.invalidRequest())
                .contentType(ContentType.JSON)
                .body(unknownField)
                .post("/api/v1/visits")
                .then()
                .statusCode(400);
    }

    @Test
    void anAnswerTheDocumentDoesNotDescribeFails() throws Exception {
        String document = given().get("/q/openapi?format=json").asString();
        // The served document with the 404 of getVisit left out: a 404 from it is then undescribed.
        ObjectNode without404 = (ObjectNode) new ObjectMapper().readTree(document);
        ObjectNode responses =
                (ObjectNode) without404.at("/paths/~1api~1v1~1clinics~1{clinicId}~1visits~1{visitId}/get/responses");
        assertThat(responses.remove("404")).isNotNull();
        String path = "/api/v1/clinics/" + Fixtures.unique("c") + "/visits/nope";

        AssertionError e = catchThrowableOfType(
                AssertionError.class,
                () -> given().filter(Contract.against(without404.toString())).get(path));
        assertThat(e.getMessage()).contains("The response 404 of GET");

        given().filter(Contract.against(document)).get(path).then().statusCode(404);
    }
}

package io.rapport.support;

import io.quarkus.test.junit.callback.QuarkusTestBeforeClassCallback;
import io.restassured.RestAssured;
import io.restassured.config.JsonConfig;
import io.restassured.path.json.config.JsonPathConfig;

/**
 * JSON numbers read as doubles in every test, so expected values are compared at full precision;
 * every request carries a real token unless the test says otherwise ({@link DefaultToken}); and every
 * call is held to the OpenAPI document ({@link Contract}).
 */
public class RestAssuredDefaults implements QuarkusTestBeforeClassCallback {

    private static final DefaultToken TOKEN = new DefaultToken();

    @Override
    public void beforeClass(Class<?> testClass) {
        RestAssured.config = RestAssured.config()
                .jsonConfig(JsonConfig.jsonConfig().numberReturnType(JsonPathConfig.NumberReturnType.DOUBLE));
        if (!RestAssured.filters().contains(TOKEN)) {
            RestAssured.filters(TOKEN);
        }
        DefaultToken.subject("suite-" + testClass.getSimpleName());
        if (!RestAssured.filters().contains(Contract.FILTER)) {
            RestAssured.filters(Contract.FILTER);
        }
    }
}

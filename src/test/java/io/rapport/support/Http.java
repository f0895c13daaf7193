package io.rapport.support;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.ConfigProvider;

/** Small HTTP helpers shared by the failure tests. */
public final class Http {

    private Http() {}

    public static int managementPort() {
        return ConfigProvider.getConfig()
                .getOptionalValue("quarkus.management.test-port", Integer.class)
                .orElse(9001);
    }

    public static Response postJson(String path, Object body) {
        return given().contentType(ContentType.JSON).body(body).when().post(path);
    }

    public static Response ready() {
        return given().port(managementPort()).get("/q/health/ready");
    }

    public static Response live() {
        return given().port(managementPort()).get("/q/health/live");
    }

    /** An answer and how long it took. */
    public record Timed(Response response, Duration took) {}

    public static Timed timed(Supplier<Response> call) {
        Instant start = Instant.now();
        Response r = call.get();
        return new Timed(r, Duration.between(start, Instant.now()));
    }

    /** Repeats the call until it answers 2xx, for at most {@code within}; returns the last answer. */
    public static Response until2xx(Duration within, Supplier<Response> call) {
        Instant deadline = Instant.now().plus(within);
        Response r = call.get();
        while (r.statusCode() / 100 != 2 && Instant.now().isBefore(deadline)) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            r = call.get();
        }
        return r;
    }
}

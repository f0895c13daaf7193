package io.rapport.support;

import static io.restassured.RestAssured.given;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.ConfigProvider;

/** What Prometheus would read: /q/metrics on the management port, as text and as samples. */
public final class Scrape {

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{[^}]*\\})?) (\\S+)$");

    private Scrape() {}

    public static int managementPort() {
        return ConfigProvider.getConfig()
                .getOptionalValue("quarkus.management.test-port", Integer.class)
                .orElse(9001);
    }

    public static String text() {
        return given().port(managementPort())
                .accept("text/plain")
                .get("/q/metrics")
                .then()
                .statusCode(200)
                .extract()
                .asString();
    }

    /** Series (name and label set, as printed) → value. */
    public static Map<String, Double> samples() {
        Map<String, Double> samples = new HashMap<>();
        for (String line : text().split("\n")) {
            Matcher m = SAMPLE.matcher(line.trim());
            if (!line.startsWith("#") && m.matches()) {
                // The 0.0.4 text format ends label sets with a comma: {a="1",}.
                samples.put(m.group(1).replace(",}", "}"), Double.parseDouble(m.group(2)));
            }
        }
        return samples;
    }
}

package io.rapport.metrics;

import io.quarkus.micrometer.runtime.binder.vertx.HttpRequestMetric;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.rapport.http.Routes;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The {@code uri} label of a request no resource method took: a method the address does not
 * allow (405), an {@code OPTIONS}, a body refused for its size before it was read (413). Quarkus
 * labels those with the raw path, ids and all, so anyone, without a token, could add series at
 * will and put any text, a patient id included, on the metrics page. They get the template of the
 * resource address they fall under instead, or {@value #UNKNOWN} when there is none. A request a
 * resource method took keeps the template Quarkus gives it, which wins over this one; a 404 keeps
 * Quarkus's {@code NOT_FOUND}.
 */
@ApplicationScoped
class UnmatchedRequestLabels {

    static final String UNKNOWN = "UNKNOWN";

    /** {@link #UNKNOWN} as Quarkus writes it in the label, with the slash it puts before a path. */
    static final String UNKNOWN_PATH = "/" + UNKNOWN;

    /** Before every other filter, so it is in place when one of them answers (BodyLimitFilter is 100). */
    private static final int PRIORITY = 1_000;

    void register(@Observes Filters filters) {
        filters.register(
                rc -> {
                    rc.addHeadersEndHandler(v -> label(rc));
                    rc.next();
                },
                PRIORITY);
    }

    /**
     * The {@code uri} label a timed request may carry, given the one Quarkus gave it. What Quarkus's
     * HTTP layer refuses before any route runs (a {@code %} that starts no escape, in the path or
     * the query) never reaches {@link #label}, and comes with its raw path: an API address gets
     * its template, or {@value #UNKNOWN_PATH} when it has none, and any other address answered
     * with a 4xx or 5xx gets {@value #UNKNOWN_PATH} too, but for Quarkus's own {@code NOT_FOUND}.
     * A template, and what a route answered outside the API below 400, stay as they are.
     */
    static String safeUri(String uri, String status) {
        if (uri == null) {
            return null;
        }
        if (Routes.isApi(uri)) {
            if (Routes.isTemplate(uri)) {
                return uri;
            }
            String template = Routes.template(uri);
            return template == null ? UNKNOWN_PATH : template;
        }
        // 5xx as well: once the shutdown delay is over, ShutdownFilter answers every address 503
        // before any route runs, and Quarkus labels that with the raw path too.
        boolean refused = status != null && (status.startsWith("4") || status.startsWith("5"));
        return refused && !uri.equals("NOT_FOUND") ? UNKNOWN_PATH : uri;
    }

    private static void label(RoutingContext rc) {
        int status = rc.response().getStatusCode();
        // A success on the API is a resource method's, which set its own template, except the
        // OPTIONS answer: skipping the rest keeps the route lookup off the ingest path. Only the
        // API's addresses hold ids; the others (/q/openapi, the Swagger UI) keep theirs.
        if ((status < 400 && rc.request().method() != HttpMethod.OPTIONS)
                || status == 404
                || !Routes.isApi(rc.normalizedPath())) {
            return;
        }
        HttpRequestMetric metric = HttpRequestMetric.getRequestMetric(rc);
        if (metric == null) {
            return;
        }
        String template = Routes.template(rc.normalizedPath());
        // Taken only when no resource method set one: setTemplatePath keeps the first it is given,
        // and the resource method's template is read before it.
        metric.setTemplatePath(template == null ? UNKNOWN : template);
    }
}

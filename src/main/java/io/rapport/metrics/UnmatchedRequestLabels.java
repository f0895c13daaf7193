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

    private static void label(RoutingContext rc) {
        int status = rc.response().getStatusCode();
        // A success on the API is a resource method's, which set its own template, except the
        // OPTIONS answer: skipping the rest keeps the route lookup off the ingest path. Only the
        // API's addresses hold ids; the others (/q/openapi, the Swagger UI) keep theirs.
        if ((status < 400 && rc.request().method() != HttpMethod.OPTIONS)
                || status == 404
                || !rc.normalizedPath().startsWith("/api/")) {
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

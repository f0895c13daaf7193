package io.rapport.error;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.rapport.config.Limits;
import io.rapport.http.Routes;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;

/**
 * Refuses a request with more than {@link Limits#MAX_QUERY_PARAMETERS} query parameters with a
 * problem+json 400, before any endpoint decodes them. No endpoint takes more than 9, so more is
 * a mistake or an attempt to make the server do work for nothing. A parameter given twice is
 * refused too.
 */
@ApplicationScoped
class QueryLimitFilter {

    private final ObjectMapper mapper;

    QueryLimitFilter(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    void register(@Observes Filters filters) {
        filters.register(
                rc -> {
                    Problem refused = refusal(rc);
                    if (refused != null) {
                        refused.send(rc.response(), mapper);
                        return;
                    }
                    rc.next();
                },
                90);
    }

    /** Why the query is refused, or null when it is not. */
    private static Problem refusal(RoutingContext rc) {
        String query = rc.request().query();
        if (query == null) {
            return null;
        }
        String path = rc.normalizedPath();
        if (query.length() > Limits.MAX_QUERY_PARAMETERS
                && rc.queryParams().entries().size() > Limits.MAX_QUERY_PARAMETERS) {
            return Problem.of(
                    400,
                    "Invalid request",
                    "Too many query parameters: at most " + Limits.MAX_QUERY_PARAMETERS + ".",
                    path,
                    List.of(new Violation("", "has more than " + Limits.MAX_QUERY_PARAMETERS + " query parameters")));
        }
        String repeated = Routes.isApi(path) ? repeated(rc) : null;
        if (repeated != null) {
            return Problem.of(
                    400,
                    "Invalid request",
                    "A query parameter is given more than once.",
                    path,
                    List.of(Violation.named(repeated, "is given more than once; give it once")));
        }
        return null;
    }

    /**
     * A parameter given more than once, or null. No endpoint takes a list, and the JAX-RS runtime
     * silently used the first of {@code status=open&status=all}, so the caller never learnt that the
     * second was ignored.
     */
    private static String repeated(RoutingContext rc) {
        // Vert.x's map folds case, as the resources read their parameters: STATUS is status to them.
        MultiMap params = rc.queryParams();
        for (String name : params.names()) {
            if (params.getAll(name).size() > 1) {
                return name;
            }
        }
        return null;
    }
}

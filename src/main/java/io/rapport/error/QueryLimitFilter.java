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
 * a mistake or an attempt to make the server do work for nothing. A parameter given twice, or
 * given without a value, is refused too.
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
            return invalid(
                    path,
                    "Too many query parameters: at most " + Limits.MAX_QUERY_PARAMETERS + ".",
                    new Violation("", "has more than " + Limits.MAX_QUERY_PARAMETERS + " query parameters"));
        }
        if (!Routes.isApi(path)) {
            return null;
        }
        String repeated = repeated(rc);
        if (repeated != null) {
            return invalid(
                    path,
                    "A query parameter is given more than once.",
                    Violation.named(repeated, "is given more than once; give it once"));
        }
        String empty = empty(rc);
        if (empty != null) {
            return invalid(
                    path,
                    "A query parameter is given without a value.",
                    Violation.named(empty, "is given without a value; give one, or leave the parameter out"));
        }
        return null;
    }

    private static Problem invalid(String path, String detail, Violation violation) {
        return Problem.of(400, "Invalid request", detail, path, List.of(violation));
    }

    /**
     * A parameter given empty ({@code tz=} or {@code tz}), or null. The JAX-RS runtime reads it as
     * left out, so a spreadsheet's blank cell silently widened an answer to every provider, or put
     * the day boundaries in UTC.
     */
    private static String empty(RoutingContext rc) {
        for (var entry : rc.queryParams()) {
            if (entry.getValue().isEmpty()) {
                return entry.getKey();
            }
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

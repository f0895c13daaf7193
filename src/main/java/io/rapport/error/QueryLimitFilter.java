package io.rapport.error;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.rapport.config.Limits;
import io.vertx.core.http.HttpHeaders;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;

/**
 * Refuses a request with more than {@link Limits#MAX_QUERY_PARAMETERS} query parameters with a
 * problem+json 400, before any endpoint decodes them. No endpoint takes more than 9, so more is
 * a mistake or an attempt to make the server do work for nothing.
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
                    String query = rc.request().query();
                    if (query != null
                            && query.length() > Limits.MAX_QUERY_PARAMETERS
                            && rc.queryParams().entries().size() > Limits.MAX_QUERY_PARAMETERS) {
                        rc.response()
                                .setStatusCode(400)
                                .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                                .end(body(rc.normalizedPath()));
                        return;
                    }
                    rc.next();
                },
                90);
    }

    private String body(String path) {
        Problem problem = Problem.of(
                400,
                "Invalid request",
                "Too many query parameters: at most " + Limits.MAX_QUERY_PARAMETERS + ".",
                path,
                List.of(new Violation("", "has more than " + Limits.MAX_QUERY_PARAMETERS + " query parameters")));
        return problem.json(mapper);
    }
}

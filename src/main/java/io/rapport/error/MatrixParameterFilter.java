package io.rapport.error;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.vertx.http.runtime.filters.Filters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;

/**
 * Refuses, with a problem+json 400, an address with a matrix parameter ({@code ;} in its path),
 * before anything else reads it. No endpoint takes one, and the two layers that read an address
 * disagreed about it: the HTTP layer's routes take the path as sent, so {@code /api;x=1/v1/visits}
 * fell under none of the handlers set on {@code /api/*} (the audit trail, the missing-token
 * answer), while the JAX-RS runtime drops each segment's {@code ;…} and served it as
 * {@code /api/v1/visits}: a visit stored, or a clinic's data read, with no row in the audit trail.
 * A {@code ;} that is part of an id is sent escaped ({@code %3B}) and is not refused.
 */
@ApplicationScoped
class MatrixParameterFilter {

    static final String RULE = "has a matrix parameter (';'), which no address takes: remove it, or send"
            + " a ';' that is part of an id as %3B";

    private final ObjectMapper mapper;

    MatrixParameterFilter(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    void register(@Observes Filters filters) {
        filters.register(
                rc -> {
                    if (rc.request().path() != null && rc.request().path().indexOf(';') >= 0) {
                        // No instance: the address is what is wrong, and it may hold anything.
                        Problem.of(
                                        400,
                                        "Invalid request",
                                        "The address has a matrix parameter.",
                                        null,
                                        List.of(new Violation("path", RULE)))
                                .send(rc.response(), mapper);
                        return;
                    }
                    rc.next();
                },
                // After the request line's and headers' size (110), before the body's (100).
                105);
    }
}

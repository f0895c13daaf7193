package io.rapport.error;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rapport.http.Routes;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Set;

/**
 * Answers {@code OPTIONS} on the API with the methods the address really allows. The JAX-RS
 * runtime's own answer listed the methods of every resource under the same class path ({@code
 * GET} on {@code /api/v1/visits}, which then answers 405) and answered 200 for addresses that do
 * not exist. An address under no route is a 404, as for any other method.
 */
@ApplicationScoped
class OptionsFilter {

    private final ObjectMapper mapper;

    OptionsFilter(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** After the token check, so that OPTIONS tells a caller without a token nothing either. */
    void register(@Observes Router router) {
        router.route("/api/*").order(UnauthenticatedAnswer.ORDER + 1).handler(rc -> {
            String path = rc.normalizedPath();
            if (rc.request().method() != HttpMethod.OPTIONS || !Routes.isApi(path)) {
                rc.next();
                return;
            }
            Set<String> allowed = Routes.allowed(path);
            if (allowed.isEmpty()) {
                Problem.of(404, "Not Found", "No resource at this address.", path, null)
                        .send(rc.response(), mapper);
                return;
            }
            rc.response()
                    .setStatusCode(204)
                    .putHeader(HttpHeaders.ALLOW, String.join(", ", allowed))
                    .end();
        });
    }
}

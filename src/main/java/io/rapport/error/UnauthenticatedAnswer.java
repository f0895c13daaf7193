package io.rapport.error;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Every {@code /api} request needs a valid bearer token before anything else about it is checked:
 * its address, method (OPTIONS included), media types, parameters and body. Only the checks that
 * guard the server as a whole come first: shutdown, the body's size, the query's size and its
 * repeated parameters. Left to the resources, a request without one got
 * a 405, 406, 415 or 400 first, which told a caller without a token what an address takes. The
 * answer is the same problem+json and Bearer challenge as {@link ProblemMapper#unauthenticated}.
 * (Quarkus's path permissions would check as early, but answer with an empty body.)
 */
@ApplicationScoped
class UnauthenticatedAnswer {

    /** Before the resources, after the filters that answer for the server as a whole (shutdown, size limits). */
    static final int ORDER = RouteConstants.ROUTE_ORDER_BEFORE_DEFAULT;

    private final ObjectMapper mapper;

    UnauthenticatedAnswer(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    void install(@Observes Router router) {
        router.route("/api/*")
                .order(ORDER)
                .handler(rc -> QuarkusHttpUser.getSecurityIdentity(rc, null)
                        .subscribe()
                        .with(
                                identity -> {
                                    if (identity == null || identity.isAnonymous()) {
                                        refuse(rc);
                                    } else {
                                        rc.next();
                                    }
                                },
                                failure -> {
                                    // A bad token. Anything else is the server's own failure, left to
                                    // the error handler to log and answer, not passed off as a bad token.
                                    if (failure instanceof AuthenticationFailedException) {
                                        refuse(rc);
                                    } else {
                                        rc.fail(failure);
                                    }
                                }));
    }

    private void refuse(RoutingContext rc) {
        if (rc.response().headWritten()) {
            return;
        }
        rc.response().putHeader("WWW-Authenticate", ProblemMapper.BEARER_CHALLENGE);
        Problem.of(401, "Unauthorized", ProblemMapper.TOKEN_REQUIRED, rc.normalizedPath(), null)
                .send(rc.response(), mapper);
    }
}

package io.rapport.error;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * A request the HTTP layer fails as the client's own fault, with a 4xx before any route runs (an
 * HTTP/1.1 request without a {@code Host} header), is answered with a problem+json like every
 * other refusal, and logged at DEBUG. Left to Quarkus's error handler, it got a plain JSON error
 * id and an ERROR line with each, so any client could fill the log with errors, and page whoever
 * alerts on them. Failures of the server's own (5xx, or no status) still go to that handler.
 */
@ApplicationScoped
class ClientFailureAnswer {

    private static final Logger LOG = Logger.getLogger(ClientFailureAnswer.class);

    private final ObjectMapper mapper;

    ClientFailureAnswer(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(rc -> {
            int status = rc.statusCode();
            if (status < 400 || status > 499 || rc.response().headWritten()) {
                rc.next();
                return;
            }
            LOG.debugf(rc.failure(), "Refused a malformed request with %d", status);
            Problem.of(status, HttpResponseStatus.valueOf(status).reasonPhrase(), detail(rc), rc.normalizedPath(), null)
                    .send(rc.response(), mapper);
        });
    }

    private static String detail(RoutingContext rc) {
        if (rc.request().version() == HttpVersion.HTTP_1_1 && rc.request().host() == null) {
            return "An HTTP/1.1 request must carry a Host header.";
        }
        return "The request is malformed.";
    }
}

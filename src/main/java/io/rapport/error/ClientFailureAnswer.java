package io.rapport.error;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.regex.Pattern;
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

    /** What is wrong, where it is known: "malformed" alone sent a client looking. */
    private static String detail(RoutingContext rc) {
        if (rc.request().version() == HttpVersion.HTTP_1_1 && rc.request().host() == null) {
            return "An HTTP/1.1 request must carry a Host header.";
        }
        if (rc.statusCode() == 404) {
            // OPTIONS * asks about the server as a whole, which no endpoint answers.
            return "No resource at this address.";
        }
        String target = rc.request().uri();
        if (target == null
                || !(target.startsWith("/") || ABSOLUTE.matcher(target).lookingAt())) {
            return "The request target must be a path starting with /.";
        }
        return "The request is malformed.";
    }

    /** An absolute-form target (RFC 9112, section 3.2.2), as a proxy sends: a scheme, then "://". */
    private static final Pattern ABSOLUTE = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://");
}

package io.rapport.audit;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.rapport.http.Routes;
import io.rapport.security.Caller;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ResourceInfo;
import java.lang.reflect.Method;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Records one audit entry per API request once its response has been sent, with the final status
 * (so a 401 from a bad token, a 403 and an out-of-scope 404 are all there). Every request gets an
 * {@code X-Request-Id}, which the entry carries too.
 */
@ApplicationScoped
public class AuditRecorder {

    public static final String REQUEST_ID_HEADER = "X-Request-Id";

    private final AuditTrail trail;
    private final ConcurrentMap<Method, String> templates = new ConcurrentHashMap<>();

    AuditRecorder(AuditTrail trail) {
        this.trail = trail;
    }

    void install(@Observes Router router) {
        router.route("/api/*").order(Integer.MIN_VALUE).handler(http -> {
            AuditedRequest request = new AuditedRequest(UUID.randomUUID().toString(), http);
            http.put(AuditedRequest.KEY, request);
            http.response().putHeader(REQUEST_ID_HEADER, request.requestId);
            // Runs when the answer has gone out, and also when the client hangs up first: then
            // the response holds no status yet (Vert.x's default, 200), and the resource may
            // still be writing on a worker thread (AuditedRequest.ended).
            http.addEndHandler(done -> {
                namedInTheAddress(http, request);
                record(
                        request,
                        request.ended(http.response().ended(), http.response().getStatusCode()));
            });
            http.next();
        });
    }

    /**
     * The matched route's template, from the JAX-RS annotations: never the raw URL with its ids and
     * query. Taken as the response leaves, because security checks answer before request filters
     * run. The answer's status is noted too, for a client that leaves while it is being sent.
     * (Quarkus runs no response filter once the client has left: {@link Audit} writes what the
     * resource did then.)
     */
    @ServerResponseFilter
    public void route(ResourceInfo resource, RoutingContext http, ContainerResponseContext response) {
        AuditedRequest request = http.get(AuditedRequest.KEY);
        if (request == null) {
            return;
        }
        Method method = resource.getResourceMethod();
        if (method != null) {
            request.route(templates.computeIfAbsent(method, m -> template(resource.getResourceClass(), m)));
        }
        request.answered(response.getStatus());
    }

    /** Appends one row of the request. */
    void record(AuditedRequest request, AuditedRequest.Row row) {
        RoutingContext http = request.http;
        SecurityIdentity identity = http.user() instanceof QuarkusHttpUser user ? user.getSecurityIdentity() : null;
        boolean known = identity != null && !identity.isAnonymous();
        AuditedRequest.Fields fields = row.fields();
        String route = fields.route();
        if (route == null) {
            // Refused before any resource method ran (405, OPTIONS, a limit's 400 or 413): the
            // template of the address all the same, never the raw path.
            route = Routes.template(http.normalizedPath());
        }
        trail.append(new AuditEntry(
                Instant.now().truncatedTo(ChronoUnit.MICROS),
                request.requestId,
                Caller.subjectOf(identity),
                known ? identity.getRoles().stream().sorted().toList() : List.of(),
                fields.clinics(),
                fields.refusedClinics(),
                // HTTP's methods only: the trail cannot be deleted, and a method is any token a
                // caller sends, a patient id included (SentinelTest).
                Routes.method(http.request().method().name()),
                route == null ? "(no route)" : route,
                row.status(),
                fields.records()));
    }

    /**
     * The clinic a request names in its path ({@code /clinics/{clinicId}/...}) or, on the endpoints
     * that read it, in its {@code clinicId} query parameter, whether or not it got as far as a
     * resource: a request refused for its token, its role or its scope names the clinic it was after
     * too, and that clinic's admin reads the refusals in the clinic's trail. A {@code clinicId} a
     * route ignores names nothing: a caller could otherwise put any clinic in another's trail.
     */
    private static void namedInTheAddress(RoutingContext http, AuditedRequest request) {
        String path = http.normalizedPath();
        request.clinic(Routes.pathParameter(path, "clinicId"), false);
        if (Routes.takesQueryParameter(path, http.request().method().name(), "clinicId")) {
            try {
                request.clinic(http.queryParams().get("clinicId"), false);
            } catch (RuntimeException e) {
                // A query that does not decode names nothing; it was refused for that already.
            }
        }
    }

    private static String template(Class<?> type, Method method) {
        Path typePath = type.getAnnotation(Path.class);
        Path methodPath = method.getAnnotation(Path.class);
        String joined =
                (typePath == null ? "" : typePath.value()) + "/" + (methodPath == null ? "" : methodPath.value());
        return joined.replaceAll("/+", "/").replaceAll("(.)/$", "$1");
    }
}

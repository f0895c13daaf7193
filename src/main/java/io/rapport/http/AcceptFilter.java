package io.rapport.http;

import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses, with a 406, a request whose Accept header gives every type the resource method
 * produces a quality of 0. The JAX-RS runtime refuses a type that matches no range, but takes
 * "application/json;q=0" as a match: the client said it does not want JSON and got it. Before
 * the method runs, so nothing is computed or stored for an answer the client would refuse.
 */
class AcceptFilter {

    /** What each resource method produces, read from its annotations once. */
    private final Map<Method, List<MediaType>> produced = new ConcurrentHashMap<>();

    @ServerRequestFilter
    void refuseWhatTheClientRefuses(ContainerRequestContext request, ResourceInfo resource) {
        if (request.getHeaderString(HttpHeaders.ACCEPT) == null) {
            return;
        }
        List<MediaType> types = produced.computeIfAbsent(resource.getResourceMethod(), m -> produces(resource));
        if (types.isEmpty()) {
            return;
        }
        List<MediaType> acceptable;
        try {
            acceptable = request.getAcceptableMediaTypes();
        } catch (IllegalArgumentException e) {
            // A range that cannot be read: the runtime answers such a header as it always did.
            return;
        }
        for (MediaType type : types) {
            if (Accept.quality(acceptable, type) > 0) {
                return;
            }
        }
        throw new NotAcceptableException();
    }

    private static List<MediaType> produces(ResourceInfo resource) {
        return Routes.produces(resource.getResourceClass(), resource.getResourceMethod()).stream()
                .map(MediaType::valueOf)
                .toList();
    }
}

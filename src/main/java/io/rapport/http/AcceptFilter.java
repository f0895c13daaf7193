package io.rapport.http;

import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses, with a 406, a request whose Accept header gives every type the resource method
 * produces a quality of 0. The JAX-RS runtime refuses a type that matches no range, but takes
 * "application/json;q=0" as a match: the client said it does not want JSON and got it. Before
 * the method runs, so nothing is computed or stored for an answer the client would refuse.
 */
class AcceptFilter {

    @ServerRequestFilter
    void refuseWhatTheClientRefuses(ContainerRequestContext request, ResourceInfo resource) {
        if (request.getHeaderString(HttpHeaders.ACCEPT) == null) {
            return;
        }
        Produces produces = resource.getResourceMethod().getAnnotation(Produces.class);
        if (produces == null) {
            produces = resource.getResourceClass().getAnnotation(Produces.class);
        }
        if (produces == null) {
            return;
        }
        List<MediaType> acceptable = request.getAcceptableMediaTypes();
        for (String types : produces.value()) {
            for (String type : types.split(",")) {
                if (Accept.quality(acceptable, MediaType.valueOf(type.trim())) > 0) {
                    return;
                }
            }
        }
        throw new NotAcceptableException();
    }
}

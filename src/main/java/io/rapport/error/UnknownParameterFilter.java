package io.rapport.error;

import io.rapport.http.Routes;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses, with a 400 naming it, a query parameter the endpoint does not read. The JAX-RS runtime
 * ignores one, so {@code provider=dr-a} for {@code providerId=dr-a} answered for the whole clinic,
 * and a manager read the clinic's figures as the provider's. After authentication and matching,
 * like the resource method itself, so a caller without a token learns nothing of the parameters.
 */
class UnknownParameterFilter {

    /** What each resource method reads, from its annotations once. */
    private final Map<Method, Set<String>> known = new ConcurrentHashMap<>();

    /** The method's parameters in any case, as the runtime reads them (STATUS is status). */
    private static Set<String> read(Method m) {
        Set<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        names.addAll(Routes.queryParameters(m));
        return names;
    }

    @ServerRequestFilter
    void refuseUnknownParameters(ContainerRequestContext request, ResourceInfo resource) {
        Set<String> names = request.getUriInfo().getQueryParameters().keySet();
        if (names.isEmpty() || !Routes.isApi(request.getUriInfo().getPath())) {
            return;
        }
        Set<String> read = known.computeIfAbsent(resource.getResourceMethod(), UnknownParameterFilter::read);
        for (String name : names) {
            if (!read.contains(name)) {
                throw ProblemException.invalid(List.of(Violation.named(
                        name,
                        read.isEmpty()
                                ? "is not a parameter of this endpoint, which takes none"
                                : "is not a parameter of this endpoint, which takes " + String.join(", ", read))));
            }
        }
    }
}

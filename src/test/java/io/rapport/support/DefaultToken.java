package io.rapport.support;

import io.restassured.filter.Filter;
import io.restassured.filter.FilterContext;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sends the suite's token on every request that names none, so tests about something else need
 * not say it; a test about authentication sets its own header, or {@link Tokens#NO_TOKEN}.
 */
public final class DefaultToken implements Filter {

    private static final Map<String, String> BY_SUBJECT = new ConcurrentHashMap<>();
    private static volatile String subject = "test-suite";

    /** One subject per test class, so one class's requests never spend another's rate limit. */
    static void subject(String name) {
        subject = name;
    }

    @Override
    public Response filter(
            FilterableRequestSpecification request, FilterableResponseSpecification response, FilterContext ctx) {
        String auth = request.getHeaders().getValue("Authorization");
        if (auth == null) {
            request.header("Authorization", Tokens.bearer(BY_SUBJECT.computeIfAbsent(subject, Tokens::suite)));
        } else if (auth.equals(Tokens.NO_TOKEN)) {
            request.removeHeader("Authorization");
        }
        return ctx.next(request, response);
    }
}

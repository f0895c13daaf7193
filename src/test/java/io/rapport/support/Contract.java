package io.rapport.support;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.SimpleValidationReportFormat;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.restassured.RestAssuredRequest;
import com.atlassian.oai.validator.restassured.RestAssuredResponse;
import io.restassured.filter.Filter;
import io.restassured.filter.FilterContext;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.function.Function;

/**
 * Holds every RestAssured call to {@code /api/} to the served OpenAPI document: the response is
 * always validated, so an answer the document does not describe fails the test that got it; the
 * request is validated too, unless the test marks it as deliberately outside the document with
 * {@link #invalidRequest()}. Registered for all tests by {@link RestAssuredDefaults}.
 */
public final class Contract {

    /** Registered once for every test class: holds calls to the document the service serves. */
    public static final Filter FILTER = new Validating(Contract::served);

    private static final Filter INVALID_REQUEST = new DeliberatelyInvalid();

    private static volatile OpenApiInteractionValidator served;

    private Contract() {}

    /**
     * Marks a request that breaks the document on purpose (a wrong type, an unknown or missing field,
     * a bad parameter, a path or media type the API does not serve), to test how it is refused. Its
     * response is still validated: the refusal must be one the document describes. Use as
     * {@code given().filter(Contract.invalidRequest())}.
     */
    public static Filter invalidRequest() {
        return INVALID_REQUEST;
    }

    private static final class DeliberatelyInvalid implements Filter {
        @Override
        public Response filter(
                FilterableRequestSpecification req, FilterableResponseSpecification res, FilterContext ctx) {
            return ctx.next(req, res);
        }
    }

    /** Holds calls to another document: for showing that a call the document does not describe fails. */
    public static Filter against(String document) {
        OpenApiInteractionValidator v = validator(document);
        return new Validating(req -> v);
    }

    private static final class Validating implements Filter {

        private final Function<FilterableRequestSpecification, OpenApiInteractionValidator> validator;

        Validating(Function<FilterableRequestSpecification, OpenApiInteractionValidator> validator) {
            this.validator = validator;
        }

        @Override
        public Response filter(
                FilterableRequestSpecification req, FilterableResponseSpecification res, FilterContext ctx) {
            String path = URI.create(req.getURI()).getPath();
            boolean invalid = req.getDefinedFilters().contains(INVALID_REQUEST);
            Response response = ctx.next(req, res);
            if (!path.startsWith("/api/")) {
                return response;
            }
            OpenApiInteractionValidator v = validator.apply(req);
            Request request = RestAssuredRequest.of(req);
            if (!invalid) {
                fail(
                        "request",
                        req,
                        v.validateRequest(request),
                        "If the test sends it on purpose, mark it: given().filter(Contract.invalidRequest()).");
            }
            ValidationReport report = v.validateResponse(path, request.getMethod(), RestAssuredResponse.of(response));
            if (invalid) {
                // A deliberately unknown path or method has no operation to hold the answer to.
                report = ValidationReport.from(report.getMessages().stream()
                        .filter(m -> !m.getKey().equals("validation.request.path.missing")
                                && !m.getKey().equals("validation.request.operation.notAllowed"))
                        .toList());
            }
            fail(
                    "response " + response.statusCode(),
                    req,
                    report,
                    "Document the answer (an @APIResponse, or io.rapport.openapi.ContractFilter) or fix the code.");
            return response;
        }
    }

    private static void fail(String what, FilterableRequestSpecification req, ValidationReport report, String hint) {
        if (report.hasErrors()) {
            throw new AssertionError("The " + what + " of " + req.getMethod() + " " + req.getURI()
                    + " breaks the OpenAPI document:\n"
                    + SimpleValidationReportFormat.getInstance().apply(report)
                    + "\n" + hint);
        }
    }

    private static OpenApiInteractionValidator served(FilterableRequestSpecification req) {
        if (served == null) {
            synchronized (Contract.class) {
                if (served == null) {
                    served = validator(fetch(URI.create(req.getURI()).resolve("/q/openapi")));
                }
            }
        }
        return served;
    }

    private static OpenApiInteractionValidator validator(String document) {
        return OpenApiInteractionValidator.createForInlineApiSpecification(document)
                .withBasePathOverride("/")
                // Tokens are the server's to judge: tests of 401 send none on purpose, and the
                // other tests send whatever the test profile accepts.
                .withLevelResolver(LevelResolver.create()
                        .withLevel("validation.request.security", ValidationReport.Level.IGNORE)
                        .build())
                .build();
    }

    private static String fetch(URI uri) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("GET " + uri + " answered " + r.statusCode());
            }
            return r.body();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("Cannot read the OpenAPI document at " + uri, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

package io.rapport.openapi;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import io.rapport.error.Problem;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * Wires the shared answers of {@link RapportApi} to each operation by what the operation takes, so
 * no resource repeats them, and tightens the schemas to what the API really accepts and answers.
 * Runs at build time: the served document is static.
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.BUILD)
public class ContractFilter implements OASFilter {

    static final String BEARER = "bearer";

    /**
     * Put on an array property ({@code @Schema(extensions = @Extension(name = NULLABLE_ITEMS, value =
     * "true"))}) whose elements may be null: annotations cannot reach an element type.
     */
    public static final String NULLABLE_ITEMS = "x-rapport-nullable-items";

    /** Ingest is rate limited per token subject; reads are not. */
    private static final List<String> RATE_LIMITED = List.of("/api/v1/visits", "/api/v1/ratings");

    private static final String SCHEMAS = "#/components/schemas/";
    private static final String INSTANT = SCHEMAS + "Instant";
    /** What @NotBlank becomes: "has a non-space somewhere", which must stay unanchored. */
    private static final String NOT_BLANK = "\\S";

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        Set<String> requestSchemas = new HashSet<>();
        openAPI.getPaths()
                .getPathItems()
                .forEach((path, item) -> item.getOperations().forEach((method, op) -> {
                    document(path, method, item, op);
                    if (op.getRequestBody() != null && op.getRequestBody().getContent() != null) {
                        op.getRequestBody()
                                .getContent()
                                .getMediaTypes()
                                .values()
                                .forEach(m -> collect(openAPI, m.getSchema(), requestSchemas));
                    }
                }));
        Map<String, Schema> schemas = openAPI.getComponents().getSchemas();
        schemas.forEach((name, schema) -> tighten(schema, requestSchemas.contains(name)));
        // Inlined everywhere by tighten: a $ref cannot carry nullable or a description in OpenAPI 3.0.
        openAPI.getComponents().removeSchema("Instant");
    }

    private static void document(String path, PathItem.HttpMethod method, PathItem item, Operation op) {
        APIResponses responses = op.getResponses();
        boolean body = op.getRequestBody() != null;
        List<Parameter> params = new ArrayList<>();
        if (item.getParameters() != null) {
            params.addAll(item.getParameters());
        }
        if (op.getParameters() != null) {
            params.addAll(op.getParameters());
        }
        // A path id, or a clinicId in the query: a clinic outside the token's scope is not found.
        boolean pathParams =
                params.stream().anyMatch(p -> p.getIn() == Parameter.In.PATH || "clinicId".equals(p.getName()));
        params.forEach(ContractFilter::typedDefault);
        if (path.startsWith("/api/")) {
            op.addSecurityRequirement(OASFactory.createSecurityRequirement().addScheme(BEARER));
            shared(responses, "401", "Unauthorized");
            shared(responses, "403", "Forbidden");
            // Checked before the token, on every address (error.RequestHeadLimitFilter).
            shared(responses, "414", "URITooLong");
            shared(responses, "431", "RequestHeaderFieldsTooLarge");
        }
        if (body || !params.isEmpty()) {
            shared(responses, "400", "BadRequest");
        }
        if (pathParams) {
            shared(responses, "404", "NotFound");
        }
        shared(responses, "406", "NotAcceptable");
        if (body) {
            shared(responses, "413", "PayloadTooLarge");
            shared(responses, "415", "UnsupportedMediaType");
        }
        if (method == PathItem.HttpMethod.POST && RATE_LIMITED.stream().anyMatch(path::startsWith)) {
            shared(responses, "429", "TooManyRequests");
        }
        shared(responses, "503", "ServiceUnavailable");
        // In status order, as a reader scans them.
        responses.setAPIResponses(new TreeMap<>(responses.getAPIResponses()));
        responses.getAPIResponses().forEach((code, r) -> {
            if (code.startsWith("4") || code.startsWith("5")) {
                if (r.getRef() == null && r.getContent() == null) {
                    // An operation's own error answer (409 on registering an instrument) is a problem too.
                    r.setContent(OASFactory.createContent()
                            .addMediaType(
                                    Problem.MEDIA_TYPE,
                                    OASFactory.createMediaType()
                                            .schema(OASFactory.createSchema().ref(SCHEMAS + "Problem"))));
                }
            } else if (code.equals("201")
                    && (r.getHeaders() == null || !r.getHeaders().containsKey("Location"))) {
                r.addHeader("Location", OASFactory.createHeader().ref("Location"));
            }
        });
    }

    /**
     * A {@code @DefaultValue} arrives as a string even where the parameter is documented as a number,
     * and an enumeration of words without a type.
     */
    private static void typedDefault(Parameter p) {
        Schema s = p.getSchema();
        if (s != null && s.getType() == null && s.getEnumeration() != null && s.getRef() == null) {
            s.addType(Schema.SchemaType.STRING);
        }
        if (s != null
                && s.getDefaultValue() instanceof String d
                && s.getType() != null
                && s.getType().contains(Schema.SchemaType.INTEGER)) {
            s.setDefaultValue(Long.valueOf(d));
        }
    }

    /** The operation's own answer for a status, when it declares one, wins over the shared one. */
    private static void shared(APIResponses responses, String code, String name) {
        if (!responses.hasAPIResponse(code)) {
            responses.addAPIResponse(code, OASFactory.createAPIResponse().ref(name));
        }
    }

    /** The names of component schemas reachable from a schema. */
    private static void collect(OpenAPI openAPI, Schema schema, Set<String> names) {
        if (schema == null) {
            return;
        }
        if (schema.getRef() != null && schema.getRef().startsWith(SCHEMAS)) {
            String name = schema.getRef().substring(SCHEMAS.length());
            if (names.add(name)) {
                collect(openAPI, openAPI.getComponents().getSchemas().get(name), names);
            }
            return;
        }
        collect(openAPI, schema.getItems(), names);
        collect(openAPI, schema.getAdditionalPropertiesSchema(), names);
        if (schema.getAllOf() != null) {
            schema.getAllOf().forEach(s -> collect(openAPI, s, names));
        }
        if (schema.getProperties() != null) {
            schema.getProperties().values().forEach(s -> collect(openAPI, s, names));
        }
    }

    /**
     * What the annotations alone leave loose: Java patterns are anchored, JSON Schema patterns are
     * not; an enumeration needs no pattern beside it; a request body with an unknown field is refused
     * (quarkus.jackson.fail-on-unknown-properties), so request objects allow no other properties;
     * any property the schema does not require may be null, both in requests and in answers.
     */
    private static void tighten(Schema schema, boolean request) {
        if (schema == null) {
            return;
        }
        if (schema.getEnumeration() != null && !schema.getEnumeration().isEmpty()) {
            schema.setPattern(null);
        } else if (schema.getPattern() != null
                && !schema.getPattern().startsWith("^")
                && !schema.getPattern().equals(NOT_BLANK)) {
            String p = schema.getPattern();
            schema.setPattern(p.contains("|") ? "^(?:" + p + ")$" : "^" + p + "$");
        }
        if (schema.getExtensions() != null && schema.getExtensions().containsKey(NULLABLE_ITEMS)) {
            schema.removeExtension(NULLABLE_ITEMS);
            schema.getItems().addType(Schema.SchemaType.NULL);
        }
        tighten(schema.getItems(), request);
        if (schema.getProperties() != null) {
            if (request) {
                schema.setAdditionalPropertiesBoolean(Boolean.FALSE);
            }
            List<String> required = schema.getRequired() == null ? List.of() : schema.getRequired();
            schema.getProperties().forEach((name, property) -> {
                inlineInstant(property);
                if (!required.contains(name) && property.getRef() == null) {
                    property.addType(Schema.SchemaType.NULL);
                }
                tighten(property, request);
            });
        }
    }

    private static void inlineInstant(Schema property) {
        boolean ref = INSTANT.equals(property.getRef());
        boolean allOf = property.getAllOf() != null
                && property.getAllOf().size() == 1
                && INSTANT.equals(property.getAllOf().get(0).getRef());
        if (ref || allOf) {
            property.setRef(null);
            property.setAllOf(null);
            property.setType(new ArrayList<>(List.of(Schema.SchemaType.STRING)));
            property.setFormat("date-time");
        }
    }
}

package io.rapport.openapi;

import io.rapport.error.Problem;
import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.info.Contact;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.info.License;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.servers.Server;
import org.eclipse.microprofile.openapi.annotations.servers.ServerVariable;

/**
 * The document's metadata and the problem+json answers every operation shares, declared once.
 * {@link ContractFilter} decides which of them each operation can give. The version is replaced by
 * the build's ({@code quarkus.smallrye-openapi.info-version}).
 */
@OpenAPIDefinition(
        info =
                @Info(
                        title = "Rapport API",
                        version = "from the build",
                        description =
                                "Ingest telehealth visit events and post-visit ratings; query relationship-strength"
                                        + " trends per clinic. Paths under /api/v1 change only additively: new operations,"
                                        + " new optional request fields, new response fields and new enum values in"
                                        + " responses. Clients must ignore response fields they do not know.",
                        contact = @Contact(name = "Rapport maintainers"),
                        license =
                                @License(
                                        name = "Apache License 2.0",
                                        url = "https://www.apache.org/licenses/LICENSE-2.0")),
        // Rapport is self-hosted: the server is the integrator's deployment, a local run by default.
        servers =
                @Server(
                        url = "{scheme}://{host}",
                        description = "Your Rapport deployment",
                        variables = {
                            @ServerVariable(
                                    name = "scheme",
                                    defaultValue = "http",
                                    enumeration = {"https", "http"}),
                            @ServerVariable(
                                    name = "host",
                                    defaultValue = "localhost:8080",
                                    description = "Host and port of the public API (not the management port)")
                        }),
        components =
                @Components(
                        securitySchemes =
                                @SecurityScheme(
                                        securitySchemeName = ContractFilter.BEARER,
                                        type = SecuritySchemeType.HTTP,
                                        scheme = "bearer",
                                        bearerFormat = "JWT",
                                        description = "A JWT whose `groups` claim holds the roles (ingest, analyst,"
                                                + " admin) and whose `clinics` claim holds the clinics it may touch"),
                        responses = {
                            @APIResponse(
                                    name = "BadRequest",
                                    description = "Invalid input, named field by field in `violations`; nothing stored",
                                    content =
                                            @Content(
                                                    mediaType = Problem.MEDIA_TYPE,
                                                    schema = @Schema(implementation = Problem.class))),
                            @APIResponse(
                                    name = "Unauthorized",
                                    description = "No bearer token, or an invalid or expired one",
                                    headers =
                                            @Header(
                                                    name = "WWW-Authenticate",
                                                    description = "The scheme to authenticate with: Bearer",
                                                    schema = @Schema(type = SchemaType.STRING)),
                                    content =
                                            @Content(
                                                    mediaType = Problem.MEDIA_TYPE,
                                                    schema = @Schema(implementation = Problem.class))),
                            @APIResponse(
                                    name = "Forbidden",
                                    description =
                                            "The token lacks the role, or the write touches a clinic outside its scope",
                                    content =
                                            @Content(
                                                    mediaType = Problem.MEDIA_TYPE,
                                                    schema = @Schema(implementation = Problem.class))),
                            @APIResponse(
                                    name = "NotFound",
                                    description = "Nothing at this address, or not in the token's clinics",
                                    content =
                                            @Content(
                                                    mediaType = Problem.MEDIA_TYPE,
                                                    schema = @Schema(implementation = Problem.class))),
                            @APIResponse(
                                    name = "NotAcceptable",
                                    description = "The Accept header names no media type this operation serves",
                                    content =
                                            @Content(
                                                    mediaType = Problem.MEDIA_TYPE,
                                                    schema = @Schema(implementation = Problem.class))),
                            @APIResponse(
                                    name = "PayloadTooLarge",
                                    description = "Body over 1 MiB, or a batch over rapport.ingest.max-batch items",
                                    content =
                                            @Content(
                                                    mediaType = Problem.MEDIA_TYPE,
                                                    schema = @Schema(implementation = Problem.class))),
                            @APIResponse(
                                    name = "URITooLong",
                                    description = "A request line (method, address, query, version) over 4,096"
                                            + " characters; the connection is closed",
                                    content =
                                            @Content(
                                                    mediaType = Problem.MEDIA_TYPE,
                                                    schema = @Schema(implementation = Problem.class))),
                            @APIResponse(
                                    name = "RequestHeaderFieldsTooLarge",
                                    description = "Request headers over 20 KiB; the connection is closed",
                                    content =
                                            @Content(
                                                    mediaType = Problem.MEDIA_TYPE,
                                                    schema = @Schema(implementation = Problem.class))),
                            @APIResponse(
                                    name = "UnsupportedMediaType",
                                    description = "The body is not application/json, or is sent compressed",
                                    content =
                                            @Content(
                                                    mediaType = Problem.MEDIA_TYPE,
                                                    schema = @Schema(implementation = Problem.class))),
                            @APIResponse(
                                    name = "TooManyRequests",
                                    description = "Over the ingest rate limit; retry after the given seconds",
                                    headers = @Header(name = "Retry-After", ref = "RetryAfter"),
                                    content =
                                            @Content(
                                                    mediaType = Problem.MEDIA_TYPE,
                                                    schema = @Schema(implementation = Problem.class))),
                            @APIResponse(
                                    name = "ServiceUnavailable",
                                    description =
                                            "The database is busy or away; nothing was stored, retry after the given seconds",
                                    headers = @Header(name = "Retry-After", ref = "RetryAfter"),
                                    content =
                                            @Content(
                                                    mediaType = Problem.MEDIA_TYPE,
                                                    schema = @Schema(implementation = Problem.class)))
                        },
                        headers = {
                            @Header(
                                    name = "RetryAfter",
                                    description = "Seconds to wait before retrying",
                                    schema = @Schema(type = SchemaType.INTEGER, minimum = "0")),
                            @Header(
                                    name = "Location",
                                    description = "Where the created resource can be read",
                                    schema = @Schema(type = SchemaType.STRING, format = "uri"))
                        }))
public class RapportApi extends Application {}

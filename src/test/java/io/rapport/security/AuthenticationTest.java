package io.rapport.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.rapport.support.Tokens;
import io.restassured.response.ValidatableResponse;
import io.smallrye.jwt.build.Jwt;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every way a token can be wrong gets the same 401 problem with a Bearer challenge. */
@QuarkusTest
class AuthenticationTest {

    private static final String SUMMARY = "/api/v1/clinics/any-clinic/summary";

    private static ValidatableResponse unauthorized(String authorization) {
        return given().header("Authorization", authorization)
                .get(SUMMARY)
                .then()
                .statusCode(401)
                .contentType("application/problem+json")
                .header("WWW-Authenticate", startsWith("Bearer"))
                .body("status", equalTo(401))
                .body("title", equalTo("Unauthorized"));
    }

    @Test
    void noTokenIs401() {
        unauthorized(Tokens.NO_TOKEN);
    }

    @Test
    void anExpiredTokenIs401() {
        String expired = Jwt.issuer(Tokens.ISSUER)
                .subject("someone")
                .groups(Set.of(Roles.ANALYST))
                .claim("clinics", List.of("*"))
                .issuedAt(Instant.now().minusSeconds(7200))
                .expiresAt(Instant.now().minusSeconds(3600))
                .sign(Tokens.testKey());
        unauthorized(Tokens.bearer(expired));
    }

    @Test
    void aWrongIssuerIs401() {
        String other = Jwt.issuer("https://somebody-else.example")
                .subject("someone")
                .groups(Set.of(Roles.ANALYST))
                .claim("clinics", List.of("*"))
                .expiresIn(600)
                .sign(Tokens.testKey());
        unauthorized(Tokens.bearer(other));
    }

    @Test
    void aSignatureByAnotherKeyIs401() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        String forged = Jwt.issuer(Tokens.ISSUER)
                .subject("someone")
                .groups(Set.of(Roles.ADMIN))
                .claim("clinics", List.of("*"))
                .expiresIn(600)
                .sign(generator.generateKeyPair().getPrivate());
        unauthorized(Tokens.bearer(forged));
    }

    @Test
    void anUnsignedAlgNoneTokenIs401() {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        long exp = Instant.now().plusSeconds(600).getEpochSecond();
        String payload = b64.encodeToString(("{\"iss\":\"" + Tokens.ISSUER + "\",\"sub\":\"someone\",\"exp\":" + exp
                        + ",\"groups\":[\"admin\"],\"clinics\":[\"*\"]}")
                .getBytes(StandardCharsets.UTF_8));
        unauthorized(Tokens.bearer(header + "." + payload + "."));
    }

    @Test
    void garbageAndOtherSchemesAre401() {
        unauthorized("Bearer not-a-jwt");
        unauthorized("Basic dXNlcjpwYXNz");
    }

    @Test
    void ingestEndpointsAre401WithoutATokenToo() {
        given().header("Authorization", Tokens.NO_TOKEN)
                .contentType("application/json")
                .body("[]")
                .post("/api/v1/visits/batch")
                .then()
                .statusCode(401)
                .contentType("application/problem+json")
                .header("WWW-Authenticate", startsWith("Bearer"));
    }
}

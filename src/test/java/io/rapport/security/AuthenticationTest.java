package io.rapport.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.rapport.support.Contract;
import io.rapport.support.Tokens;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import io.smallrye.jwt.build.Jwt;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
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
        unauthorized(analyst(Instant.now().minusSeconds(7200), Instant.now().minusSeconds(3600)));
    }

    /** An analyst's token for every clinic, issued and expiring at these times. */
    private static String analyst(Instant issuedAt, Instant expiresAt) {
        return Tokens.bearer(Jwt.issuer(Tokens.ISSUER)
                .audience(Tokens.AUDIENCE)
                .subject("someone")
                .groups(Set.of(Roles.ANALYST))
                .claim("clinics", List.of("*"))
                .issuedAt(issuedAt)
                .expiresAt(expiresAt)
                .sign(Tokens.testKey()));
    }

    /**
     * A token issued later than now, by more than the clocks of two hosts differ (the library's
     * clock skew, 60 s), comes from an issuer whose clock is wrong: its lifetime cannot be
     * trusted either. Within the skew it is taken.
     */
    @Test
    void aTokenIssuedInTheFutureIs401() {
        Instant now = Instant.now();
        unauthorized(analyst(now.plusSeconds(3600), now.plusSeconds(7200)));
        given().header("Authorization", analyst(now.plusSeconds(20), now.plusSeconds(600)))
                .get(SUMMARY)
                .then()
                .statusCode(200);
    }

    @Test
    void aWrongIssuerIs401() {
        String other = Jwt.issuer("https://somebody-else.example")
                .audience(Tokens.AUDIENCE)
                .subject("someone")
                .groups(Set.of(Roles.ANALYST))
                .claim("clinics", List.of("*"))
                .expiresIn(600)
                .sign(Tokens.testKey());
        unauthorized(Tokens.bearer(other));
    }

    /**
     * An identity provider mints tokens for many clients under one issuer and one key: a token
     * for another of them (a patient portal), or one that names no audience, must not open
     * Rapport. One whose audiences include Rapport's is taken.
     */
    @Test
    void aTokenForAnotherAudienceOrNoneIs401() {
        unauthorized(Tokens.bearer(withAudience(Set.of("patient-portal"))));
        unauthorized(Tokens.bearer(withAudience(Set.of())));
        given().header("Authorization", Tokens.bearer(withAudience(Set.of("patient-portal", Tokens.AUDIENCE))))
                .get(SUMMARY)
                .then()
                .statusCode(200);
    }

    private static String withAudience(Set<String> audiences) {
        var token = Jwt.issuer(Tokens.ISSUER);
        if (!audiences.isEmpty()) {
            token = token.audience(audiences);
        }
        return token.subject("someone")
                .groups(Set.of(Roles.ANALYST))
                .claim("clinics", List.of("*"))
                .expiresIn(600)
                .sign(Tokens.testKey());
    }

    @Test
    void aSignatureByAnotherKeyIs401() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        String forged = Jwt.issuer(Tokens.ISSUER)
                .audience(Tokens.AUDIENCE)
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
        String payload = b64.encodeToString(("{\"iss\":\"" + Tokens.ISSUER + "\",\"aud\":\"" + Tokens.AUDIENCE
                        + "\",\"sub\":\"someone\",\"exp\":" + exp
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

    /**
     * A signed token whose {@code groups} is not a role name or a list of them names no role anyone
     * could check, and is refused: a 401 where the token library cannot read the claim (an object,
     * a number; it was a 500, a ClassCastException, on every endpoint) or reads it with a null in it
     * (which let the request through and lost its audit row), a 403 where it reads it as
     * no role at all (a list holding a number), as for any token without the endpoint's role.
     */
    @Test
    void aGroupsClaimThatIsNotAListOfNamesIsRefusedNeverA500() throws Exception {
        long iat = Instant.now().getEpochSecond();
        for (String groups :
                List.of("{\"analyst\":true}", "7", "true", "[1,2]", "[\"analyst\",{}]", "[\"analyst\",null]")) {
            // Signed by hand: the token builder refuses such a claim, an identity provider may not.
            JsonWebSignature jws = new JsonWebSignature();
            jws.setPayload("{\"iss\":\"" + Tokens.ISSUER + "\",\"aud\":\"" + Tokens.AUDIENCE
                    + "\",\"sub\":\"someone\",\"iat\":" + iat + ",\"exp\":"
                    + (iat + 600) + ",\"groups\":" + groups + ",\"clinics\":[\"*\"]}");
            jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
            jws.setKey(Tokens.testKey());
            var r = given().header("Authorization", Tokens.bearer(jws.getCompactSerialization()))
                    .get(SUMMARY);
            assertThat(r.statusCode()).as(groups).isIn(401, 403);
            r.then().contentType("application/problem+json");
            if (groups.startsWith("{") || groups.contains("null")) {
                assertThat(r.statusCode()).as(groups).isEqualTo(401);
            }
        }
    }

    /**
     * OpenID Connect caps {@code sub} at 255 ASCII characters, and Rapport stores it (as the
     * acknowledger of an alert, in the audit trail): a longer one was a 500 when it acknowledged.
     */
    @Test
    void aSubjectOfMoreThan255CharactersOrWithANulIs401() {
        for (String subject : List.of("s".repeat(256), "some\u0000one")) {
            String odd = Jwt.issuer(Tokens.ISSUER)
                    .audience(Tokens.AUDIENCE)
                    .subject(subject)
                    .groups(Set.of(Roles.ANALYST))
                    .claim("clinics", List.of("*"))
                    .expiresIn(600)
                    .sign(Tokens.testKey());
            unauthorized(Tokens.bearer(odd));
        }
        String longest = Jwt.issuer(Tokens.ISSUER)
                .audience(Tokens.AUDIENCE)
                .subject("s".repeat(255))
                .groups(Set.of(Roles.ANALYST))
                .claim("clinics", List.of("*"))
                .expiresIn(600)
                .sign(Tokens.testKey());
        given().header("Authorization", Tokens.bearer(longest))
                .get(SUMMARY)
                .then()
                .statusCode(200);
    }

    /**
     * Without a valid token the answer is 401 whatever else is wrong with the request: the order
     * of the checks must not tell an unauthenticated caller which addresses exist, or which
     * methods (OPTIONS too) and media types they take. (Only the limits on the request's size come
     * first: the body, the URL, the query's parameters.)
     */
    @Test
    void noTokenIs401BeforeAnyOtherCheck() {
        List<Function<RequestSpecification, Response>> wrongInOtherWaysToo = List.of(
                r -> r.accept("text/html").get(SUMMARY),
                r -> r.contentType("text/plain").body("hello").post("/api/v1/visits"),
                r -> r.get("/api/v1/no-such-address"),
                r -> r.options(SUMMARY),
                r -> r.delete(SUMMARY));
        for (Function<RequestSpecification, Response> request : wrongInOtherWaysToo) {
            request.apply(given().filter(Contract.invalidRequest()).header("Authorization", Tokens.NO_TOKEN))
                    .then()
                    .statusCode(401)
                    .contentType("application/problem+json")
                    .header("WWW-Authenticate", startsWith("Bearer"));
        }
    }
}

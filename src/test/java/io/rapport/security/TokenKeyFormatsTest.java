package io.rapport.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.jose4j.jwk.PublicJsonWebKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The keys a prod start accepts for token verification: every kind smallrye-jwt verifies with, in
 * every form it reads. A check that refused one of them would stop a correctly configured
 * service (an EC key was refused by the first version of the check). Keys made here, fresh.
 */
class TokenKeyFormatsTest {

    @Test
    void rsaEcAndEdDsaKeysInPemAreKeys() throws Exception {
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
            PublicKey key =
                    KeyPairGenerator.getInstance(algorithm).generateKeyPair().getPublic();
            assertThat(TokenVerificationConfig.isPublicKey(pem(key)))
                    .as(algorithm)
                    .isTrue();
            assertThat(TokenVerificationConfig.isPublicKey(pem(key).replace("\n", "\r\n")))
                    .as("%s with CRLF", algorithm)
                    .isTrue();
            assertThat(TokenVerificationConfig.isPublicKey(Base64.getEncoder().encodeToString(key.getEncoded())))
                    .as("%s as bare base64", algorithm)
                    .isTrue();
        }
    }

    @Test
    void aJwkAndAJwksAreKeys() throws Exception {
        PublicKey key = KeyPairGenerator.getInstance("RSA").generateKeyPair().getPublic();
        String jwk = PublicJsonWebKey.Factory.newPublicJwk(key).toJson();
        assertThat(TokenVerificationConfig.isPublicKey(jwk)).isTrue();
        assertThat(TokenVerificationConfig.isPublicKey("{\"keys\":[" + jwk + "]}"))
                .isTrue();
    }

    @Test
    void aBase64UrlEncodedJwkIsAKey() throws Exception {
        PublicKey key = KeyPairGenerator.getInstance("EC").generateKeyPair().getPublic();
        String jwk = PublicJsonWebKey.Factory.newPublicJwk(key).toJson();
        assertThat(TokenVerificationConfig.isPublicKey(
                        Base64.getUrlEncoder().withoutPadding().encodeToString(jwk.getBytes(StandardCharsets.UTF_8))))
                .isTrue();
    }

    /** Locations are looked for where smallrye-jwt looks, and only a real absence is refused. */
    @Test
    void aKeyIsFoundWhereSmallryeJwtLooks(@TempDir Path dir) throws Exception {
        PublicKey key = KeyPairGenerator.getInstance("RSA").generateKeyPair().getPublic();
        Path file = dir.resolve("issuer key.pem");
        Files.writeString(file, pem(key));
        for (String location : List.of(
                file.toString(),
                "file:" + file,
                "file://" + file,
                // The test key pair on the classpath, bare and prefixed.
                "test-jwt/public.pem",
                "classpath:test-jwt/public.pem",
                "https://idp.example/realms/rapport/protocol/openid-connect/certs")) {
            assertThat(TokenVerificationConfig.refusal(at(location)))
                    .as(location)
                    .isNull();
        }
        for (String missing : List.of(
                dir.resolve("gone.pem").toString(),
                "file://" + dir.resolve("gone.pem"),
                "classpath:test-jwt/gone.pem")) {
            assertThat(TokenVerificationConfig.refusal(at(missing)))
                    .as(missing)
                    .isEqualTo("mp.jwt.verify.publickey.location is " + missing
                            + ", which is not a readable file: mount your issuer's public key there");
        }
    }

    /**
     * smallrye-jwt reads a PEM key only as the type of the configured algorithm (RS256 unless
     * set): an EC key with the default started, reported ready and verified no token.
     */
    @Test
    void aPemKeyMustSuitTheConfiguredAlgorithm(@TempDir Path dir) throws Exception {
        Path ec = dir.resolve("ec.pem");
        Files.writeString(
                ec, pem(KeyPairGenerator.getInstance("EC").generateKeyPair().getPublic()));
        assertThat(TokenVerificationConfig.refusal(at(ec.toString())))
                .isEqualTo("mp.jwt.verify.publickey.location (" + ec + ") holds an EC key, and tokens are"
                        + " verified as RS256, which smallrye-jwt reads only as an RSA key: set"
                        + " MP_JWT_VERIFY_PUBLICKEY_ALGORITHM (mp.jwt.verify.publickey.algorithm) to the key's"
                        + " algorithm, such as ES256");
        assertThat(TokenVerificationConfig.refusal(at(ec.toString(), "ES256"))).isNull();
        Path rsa = dir.resolve("rsa.pem");
        Files.writeString(
                rsa, pem(KeyPairGenerator.getInstance("RSA").generateKeyPair().getPublic()));
        assertThat(TokenVerificationConfig.refusal(at(rsa.toString(), "PS256"))).isNull();
        assertThat(TokenVerificationConfig.refusal(at(rsa.toString(), "ES384"))).contains("holds an RSA key");
    }

    private static TokenVerificationConfig.Verify at(String location) {
        return at(location, null);
    }

    private static TokenVerificationConfig.Verify at(String location, String algorithm) {
        return new TokenVerificationConfig.Verify() {
            @Override
            public Optional<String> publickeyAlgorithm() {
                return Optional.ofNullable(algorithm);
            }

            @Override
            public Optional<String> publickeyLocation() {
                return Optional.of(location);
            }

            @Override
            public Optional<String> publickey() {
                return Optional.empty();
            }

            @Override
            public Optional<String> issuer() {
                return Optional.of("https://idp.example/realms/rapport");
            }

            @Override
            public Optional<List<String>> audiences() {
                return Optional.of(List.of("rapport"));
            }
        };
    }

    @Test
    void textThatIsNoKeyIsNot() {
        assertThat(TokenVerificationConfig.isPublicKey("REPLACE_ME_with_the_identity_providers_public_key_pem"))
                .isFalse();
        assertThat(TokenVerificationConfig.isPublicKey(
                        "-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----"))
                .isFalse();
        assertThat(TokenVerificationConfig.isPublicKey("{\"keys\":[]}")).isFalse();
        assertThat(TokenVerificationConfig.isPublicKey("")).isFalse();
    }

    private static String pem(PublicKey key) {
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }
}

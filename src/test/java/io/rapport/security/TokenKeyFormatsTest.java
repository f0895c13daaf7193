package io.rapport.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.Base64;
import org.jose4j.jwk.PublicJsonWebKey;
import org.junit.jupiter.api.Test;

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

package io.rapport.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.rapport.support.PackagedJar;
import io.rapport.support.Tokens;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator meets when the packaged jar starts in prod with an unfit configuration: a
 * non-zero exit and one line per problem naming the setting and the fix, before any database
 * starts; and that a fit configuration does start and verifies tokens.
 *
 * <p>The refused starts are launched together before the tests run, since each is mostly JVM
 * start-up; each test then waits for its own process.
 */
class StartupRefusalIT {

    private static final Duration EXIT = Duration.ofSeconds(120);
    private static final Duration READY = Duration.ofSeconds(180);
    private static final String GENERATE = "generate one with `openssl rand -base64 48`";
    /** Any sign that a database was started or migrated. */
    private static final Pattern DATABASE_LINE =
            Pattern.compile("(?i)zonky|EmbeddedPostgres|Embedded PostgreSQL|initdb|postmaster|flyway");

    @TempDir
    static Path temp;

    private static final Map<String, PackagedJar> refused = new HashMap<>();
    private static final List<PackagedJar> all = new ArrayList<>();

    @BeforeAll
    static void startRefusedOnes() throws IOException {
        Path issuerKey = temp.resolve("issuer-public.pem");
        Files.writeString(issuerKey, freshPublicKeyPem());
        Map<String, String> goodToken = Map.of(
                "MP_JWT_VERIFY_PUBLICKEY_LOCATION",
                issuerKey.toString(),
                "MP_JWT_VERIFY_ISSUER",
                "https://idp.example/realms/rapport");

        refused("weak-key", with(goodToken, "RAPPORT_PSEUDONYM_KEY", "abc"));
        refused("placeholder-key", with(goodToken, "RAPPORT_PSEUDONYM_KEY", "<your key>"));
        refused("no-key", goodToken);
        refused("no-token-key", Map.of("RAPPORT_PSEUDONYM_KEY", strongKey()));
        // Set empty, so any token of the issuer, whatever client it was made for, would open Rapport.
        refused(
                "no-audience",
                with(with(goodToken, "RAPPORT_PSEUDONYM_KEY", strongKey()), "MP_JWT_VERIFY_AUDIENCES", ""));
        refused(
                "dev-issuer",
                Map.of(
                        "RAPPORT_PSEUDONYM_KEY", strongKey(),
                        "MP_JWT_VERIFY_PUBLICKEY_LOCATION", issuerKey.toString(),
                        "MP_JWT_VERIFY_ISSUER", DevTokens.ISSUER));

        // A key file missing from its volume, and a file that holds no key.
        refused(
                "token-key-missing",
                Map.of(
                        "RAPPORT_PSEUDONYM_KEY", strongKey(),
                        "MP_JWT_VERIFY_PUBLICKEY_LOCATION",
                                temp.resolve("not-mounted.pem").toString(),
                        "MP_JWT_VERIFY_ISSUER", "https://idp.example/realms/rapport"));
        Path notAKey = temp.resolve("not-a-key.pem");
        Files.writeString(notAKey, "REPLACE_ME_with_the_identity_providers_public_key_pem\n");
        refused(
                "token-key-garbage",
                Map.of(
                        "RAPPORT_PSEUDONYM_KEY", strongKey(),
                        "MP_JWT_VERIFY_PUBLICKEY_LOCATION", notAKey.toString(),
                        "MP_JWT_VERIFY_ISSUER", "https://idp.example/realms/rapport"));

        // The dev key pair where dev mode leaves it, and a copy of its public key configured elsewhere.
        Path devDir = temp.resolve("dev-key-copy");
        Path devPublic = devDir.resolve(DevTokens.PUBLIC_KEY);
        Files.createDirectories(devPublic.getParent());
        Files.writeString(devPublic, freshPublicKeyPem());
        Path copy = devDir.resolve("issuer.pem");
        Files.copy(devPublic, copy);
        refused(
                "dev-key-copy",
                Map.of(
                        "RAPPORT_PSEUDONYM_KEY", strongKey(),
                        "MP_JWT_VERIFY_PUBLICKEY_LOCATION", copy.toString(),
                        "MP_JWT_VERIFY_ISSUER", "https://idp.example/realms/rapport"));
    }

    @AfterAll
    static void stopAll() {
        all.forEach(PackagedJar::close);
    }

    @Test
    void weakKeyIsRefusedWithHowToMakeOne() {
        assertRefusedBeforeAnyDatabase(
                "weak-key", "refusing to start: RAPPORT_PSEUDONYM_KEY is shorter than 32 bytes: " + GENERATE);
    }

    @Test
    void placeholderKeyIsRefused() {
        assertRefusedBeforeAnyDatabase(
                "placeholder-key", "refusing to start: RAPPORT_PSEUDONYM_KEY looks like a placeholder: " + GENERATE);
    }

    @Test
    void missingKeyIsRefused() {
        assertRefusedBeforeAnyDatabase(
                "no-key",
                "refusing to start: no pseudonym key is configured: set RAPPORT_PSEUDONYM_KEY (" + GENERATE
                        + "), or rapport.pseudonym.keys.<id> with rapport.pseudonym.active-key");
    }

    @Test
    void missingTokenKeyIsRefused() {
        assertRefusedBeforeAnyDatabase(
                "no-token-key",
                "refusing to start: no token verification key is configured: set MP_JWT_VERIFY_PUBLICKEY_LOCATION");
    }

    @Test
    void anEmptyAudienceIsRefused() {
        assertRefusedBeforeAnyDatabase(
                "no-audience",
                "refusing to start: no token audience is configured: set MP_JWT_VERIFY_AUDIENCES"
                        + " (mp.jwt.verify.audiences)");
    }

    @Test
    void devIssuerIsRefused() {
        assertRefusedBeforeAnyDatabase(
                "dev-issuer", "refusing to start: mp.jwt.verify.issuer is the dev issuer 'rapport-dev'");
    }

    /** Without the check the service started, reported ready, and answered every token with a 500. */
    @Test
    void aTokenKeyFileThatIsMissingIsRefused() {
        assertRefusedBeforeAnyDatabase(
                "token-key-missing",
                "refusing to start: mp.jwt.verify.publickey.location is " + temp.resolve("not-mounted.pem")
                        + ", which is not a readable file");
    }

    @Test
    void aTokenKeyFileThatHoldsNoKeyIsRefused() {
        assertRefusedBeforeAnyDatabase(
                "token-key-garbage",
                "refusing to start: mp.jwt.verify.publickey.location is " + temp.resolve("not-a-key.pem")
                        + ", which holds no public key (PEM, JWK or JWKS)");
    }

    @Test
    void copyOfDevKeyIsRefused() {
        assertRefusedBeforeAnyDatabase(
                "dev-key-copy",
                "refusing to start: mp.jwt.verify.publickey.location is the dev key pair made by dev mode");
    }

    /**
     * A fit configuration starts and verifies tokens; the same data started again with another
     * key under the same id is refused, naming the id and both ways out.
     */
    @Test
    void goodConfigurationStartsAndAnotherKeyOnItsDataIsRefused() throws Exception {
        Path dir = temp.resolve("good");
        Files.createDirectories(dir);
        Path testKey = dir.resolve("test-public.pem");
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("test-jwt/public.pem")) {
            Files.copy(in, testKey);
        }
        Map<String, String> env =
                Map.of("MP_JWT_VERIFY_PUBLICKEY_LOCATION", testKey.toString(), "MP_JWT_VERIFY_ISSUER", Tokens.ISSUER);

        try (PackagedJar jar = start(dir, with(env, "RAPPORT_PSEUDONYM_KEY", strongKey()))) {
            jar.awaitReady(READY);
            String url = "http://localhost:" + jar.httpPort() + "/api/v1/instruments";
            assertThat(get(url, Tokens.suite("startup-it"))).isEqualTo(200);
            assertThat(get(url, null)).isEqualTo(401);
        }

        try (PackagedJar jar = start(dir, with(env, "RAPPORT_PSEUDONYM_KEY", strongKey()))) {
            assertThat(jar.awaitExit(EXIT)).isNotZero();
            String out = jar.output();
            assertThat(out)
                    .contains("Refusing to start: the stored patient pseudonyms under key id 'default' were made"
                            + " with a different key than the one configured now: configure that key"
                            + " (RAPPORT_PSEUDONYM_KEY or rapport.pseudonym.keys.default), or start on a fresh"
                            + " data directory or database.");
            assertThat(out).doesNotContain("\tat ").doesNotContain("Exception");
        }
    }

    private static void refused(String name, Map<String, String> env) {
        refused.put(name, start(temp.resolve(name), env));
    }

    private static PackagedJar start(Path dir, Map<String, String> env) {
        PackagedJar jar = PackagedJar.start(dir, env);
        all.add(jar);
        return jar;
    }

    private void assertRefusedBeforeAnyDatabase(String name, String line) {
        PackagedJar jar = refused.get(name);
        assertThat(jar.awaitExit(EXIT)).as("exit code").isNotZero();
        String out = jar.output();
        List<String> lines = out.lines().toList();
        int at = -1;
        for (int i = 0; i < lines.size() && at < 0; i++) {
            if (lines.get(i).contains(line)) {
                at = i;
            }
        }
        assertThat(at).as("a line with \"%s\" in:%n%s", line, out).isNotNegative();
        assertThat(lines).noneMatch(l -> DATABASE_LINE.matcher(l).find());
        assertThat(temp.resolve(name).resolve("pg")).doesNotExist();
        assertThat(out).doesNotContain("\tat ").doesNotContain("Exception");
    }

    private static int get(String url, String token) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            request.header("Authorization", Tokens.bearer(token));
        }
        return HttpClient.newHttpClient()
                .send(request.build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private static Map<String, String> with(Map<String, String> base, String key, String value) {
        Map<String, String> out = new HashMap<>(base);
        out.put(key, value);
        return out;
    }

    /** As `openssl rand -base64 48` would make one. */
    private static String strongKey() {
        byte[] bytes = new byte[48];
        new java.security.SecureRandom().nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static String freshPublicKeyPem() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            byte[] der = generator.generateKeyPair().getPublic().getEncoded();
            return "-----BEGIN PUBLIC KEY-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                    + "\n-----END PUBLIC KEY-----\n";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.rapport.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The placeholders the project ships where a pseudonym key goes are refused as keys, so a copy of
 * an example applied as it stands cannot start the service with a key anyone can read here. Read
 * from the files themselves, so an example that changes is checked as it is.
 */
class PlaceholderKeysTest {

    @Test
    void theKubernetesExampleSecretsKeyIsRefused() throws IOException {
        String key = value(Path.of("k8s/base/secret.example.yaml"), "^\\s*pseudonym-key:\\s*(\\S+)");
        assertThat(PseudonymKeys.weakness(key)).as(key).hasValue("looks like a placeholder");
    }

    @Test
    void theComposeExampleKeyIsRefused() throws IOException {
        String key = value(Path.of("docker/.env.example"), "^RAPPORT_PSEUDONYM_KEY=(\\S+)");
        assertThat(PseudonymKeys.weakness(key)).as(key).hasValue("looks like a placeholder");
    }

    @Test
    void aRandomKeyIsNot() {
        assertThat(PseudonymKeys.weakness("q3J0bmVhcmx5IHJhbmRvbSBieXRlcyBvZiBhIHJlYWwga2V5IQ"))
                .isEmpty();
    }

    private static String value(Path file, String regex) throws IOException {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(Files.readString(file));
        assertThat(m.find()).as("%s in %s", regex, file).isTrue();
        return m.group(1);
    }
}

package io.rapport.security;

import io.quarkus.runtime.LaunchMode;
import io.rapport.config.RapportConfig;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Keeps a prod start that configuration validation is going to refuse from starting the embedded
 * PostgreSQL first.
 *
 * <p>SmallRye validates the config mappings ({@link StartupRefusals}) only after it has built all
 * of them, and building the datasource
 * mapping asks for the JDBC URL, which is what starts the embedded PostgreSQL ({@code io.rapport.db}).
 * A weak key would then be refused after a database init, among its log lines. So this source sits
 * just above the embedded database's one: when the URL is asked for and the same rules refuse the
 * configuration, it answers a URL that is never connected to, no database starts, and the
 * validation that follows prints the refusal. It answers nothing in every other case, and is never
 * asked when a real JDBC URL is configured (that comes from a source above it).
 */
public class RefusedStartConfigSourceFactory implements ConfigSourceFactory {

    private static final String URL = "quarkus.datasource.jdbc.url";
    /** Just above the embedded database's source (200), below application.properties (250). */
    private static final int ORDINAL = 210;

    private static final String PSEUDONYM = "rapport.pseudonym";
    private static final String VERIFY = "mp.jwt.verify";

    private static final String NOT_STARTED = "jdbc:postgresql://refused-start.invalid/not-started";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        return List.of(new Source(context.getConfigSources(), context.getProfiles()));
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }

    /** The reason the prod checks refuse this configuration, or null. */
    static String refusal(SmallRyeConfig config) {
        String keys = PseudonymKeys.read(config.getConfigMapping(RapportConfig.Pseudonym.class, PSEUDONYM), true)
                .refusal();
        return keys != null
                ? keys
                : TokenVerificationConfig.refusal(
                        config.getConfigMapping(TokenVerificationConfig.Verify.class, VERIFY));
    }

    private static final class Source implements ConfigSource {
        private final List<ConfigSource> sources;
        private final List<String> profiles;
        private String answer;
        private boolean checked;

        Source(List<ConfigSource> sources, List<String> profiles) {
            this.sources = sources;
            this.profiles = profiles;
        }

        @Override
        public Set<String> getPropertyNames() {
            // Listing the URL would have the build ask for it; the embedded source leaves it out too.
            return Set.of();
        }

        @Override
        public String getValue(String propertyName) {
            if (!URL.equals(propertyName) || LaunchMode.current() != LaunchMode.NORMAL) {
                return null;
            }
            synchronized (this) {
                if (!checked) {
                    checked = true;
                    answer = refused() ? NOT_STARTED : null;
                }
                return answer;
            }
        }

        private boolean refused() {
            try {
                return refusal(readable()) != null;
            } catch (RuntimeException unreadable) {
                // The application's own mapping meets the same problem and reports it.
                return false;
            }
        }

        /** The same sources and profiles the application reads, mapped the way its config mappings are. */
        private SmallRyeConfig readable() {
            return new SmallRyeConfigBuilder()
                    .withSources(
                            sources.stream().filter(s -> !(s instanceof Source)).toList())
                    .withProfiles(profiles)
                    .addDefaultInterceptors()
                    .withValidateUnknown(false)
                    .withMapping(RapportConfig.Pseudonym.class, PSEUDONYM)
                    .withMapping(TokenVerificationConfig.Verify.class, VERIFY)
                    .build();
        }

        @Override
        public int getOrdinal() {
            return ORDINAL;
        }

        @Override
        public String getName() {
            return "rapport-refused-start";
        }
    }
}

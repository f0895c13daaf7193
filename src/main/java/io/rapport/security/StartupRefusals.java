package io.rapport.security;

import io.quarkus.runtime.ExecutionMode;
import io.quarkus.runtime.LaunchMode;
import io.rapport.config.RapportConfig;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.ConfigValidator;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.SmallRyeConfigBuilderCustomizer;

/**
 * Refuses a configuration Rapport must not run with (unusable or, in prod, weak pseudonym keys;
 * in prod, no usable token verification) while the configuration is built, so the refusal is one
 * line and comes before any database starts or is connected to.
 *
 * <p>A plain SmallRye {@link ConfigValidator}, not Bean Validation constraints on the mappings: a
 * constrained mapping makes Quarkus bootstrap a second Hibernate Validator during static init only
 * to check configuration, which cost about half a second of every start (README, "Startup").
 */
public class StartupRefusals implements SmallRyeConfigBuilderCustomizer {

    @Override
    public void configBuilder(SmallRyeConfigBuilder builder) {
        // Nothing injects the mp.jwt mapping (smallrye-jwt reads those keys itself), so Quarkus would
        // not build, and so not validate, it.
        builder.withMapping(TokenVerificationConfig.class);
        ConfigValidator before = builder.getValidator();
        builder.withValidator((mappingClass, prefix, mapping) -> {
            before.validateMapping(mappingClass, prefix, mapping);
            String refusal = refusal(mapping);
            if (refusal != null) {
                throw new ConfigValidationException(
                        new ConfigValidationException.Problem[] {new ConfigValidationException.Problem(refusal)});
            }
        });
    }

    @Override
    public int priority() {
        // After anything else that installs a validator, so that one is kept and runs first.
        return Integer.MAX_VALUE;
    }

    private static String refusal(Object mapping) {
        if (ExecutionMode.current() == ExecutionMode.UNSET) {
            // The build reads the configuration too, and a prod build has no keys: only a start checks them.
            return null;
        }
        String reason = null;
        boolean prod = LaunchMode.current() == LaunchMode.NORMAL;
        if (mapping instanceof RapportConfig rapport) {
            reason = PseudonymKeys.read(rapport.pseudonym(), prod).refusal();
        } else if (mapping instanceof TokenVerificationConfig tokens && prod) {
            reason = TokenVerificationConfig.refusal(tokens.verify());
        }
        return reason == null ? null : "refusing to start: " + reason;
    }
}

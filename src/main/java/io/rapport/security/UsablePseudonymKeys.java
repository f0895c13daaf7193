package io.rapport.security;

import io.quarkus.runtime.LaunchMode;
import io.rapport.config.RapportConfig;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The pseudonym keys must be usable, and in prod strong. Checked as part of configuration, so a
 * weak key is refused in one line before any database starts.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = UsablePseudonymKeys.Check.class)
public @interface UsablePseudonymKeys {

    String message() default "pseudonym keys are not usable";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Check implements ConstraintValidator<UsablePseudonymKeys, RapportConfig.Pseudonym> {
        @Override
        public boolean isValid(RapportConfig.Pseudonym value, ConstraintValidatorContext context) {
            String refusal = value == null
                    ? null
                    : PseudonymKeys.read(value, LaunchMode.current() == LaunchMode.NORMAL)
                            .refusal();
            return StartupRefusal.report(refusal, context);
        }
    }
}

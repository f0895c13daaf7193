package io.rapport.security;

import jakarta.validation.ConstraintValidatorContext;
import org.hibernate.validator.constraintvalidation.HibernateConstraintValidatorContext;

/** How a configuration check turns its reason into the one line Quarkus prints when it refuses to start. */
final class StartupRefusal {

    private StartupRefusal() {}

    static boolean report(String refusal, ConstraintValidatorContext context) {
        if (refusal == null) {
            return true;
        }
        context.disableDefaultConstraintViolation();
        // The reason is literal text (it may hold '$' or braces): no message interpolation.
        context.unwrap(HibernateConstraintValidatorContext.class)
                .buildConstraintViolationWithTemplate("refusing to start: " + refusal)
                .enableExpressionLanguage(
                        org.hibernate.validator.messageinterpolation.ExpressionLanguageFeatureLevel.NONE)
                .addConstraintViolation();
        return false;
    }
}

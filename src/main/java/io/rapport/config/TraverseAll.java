package io.rapport.config;

import jakarta.inject.Singleton;
import jakarta.validation.Path;
import jakarta.validation.TraversableResolver;
import java.lang.annotation.ElementType;

/**
 * Bean Validation checks every property. With Hibernate ORM present, Quarkus would otherwise ask
 * the persistence provider before each property of each validated object whether it is loaded, so
 * as not to trigger lazy loading. Rapport validates request records, never entities, which have no
 * lazy associations anyway. In a JFR profile of 1,000-item visit and rating batches the question
 * itself (Hibernate's PersistenceUtilHelper) was 3.4 % of the request threads' samples, and
 * validation as a whole 16 %; in two profiles without it, validation was 10 % and 14 % (short
 * runs, so noisy). Quarkus uses a TraversableResolver bean in place of its own when there is one.
 */
@Singleton
class TraverseAll implements TraversableResolver {

    @Override
    public boolean isReachable(
            Object traversableObject,
            Path.Node traversableProperty,
            Class<?> rootBeanType,
            Path pathToTraversableObject,
            ElementType elementType) {
        return true;
    }

    @Override
    public boolean isCascadable(
            Object traversableObject,
            Path.Node traversableProperty,
            Class<?> rootBeanType,
            Path pathToTraversableObject,
            ElementType elementType) {
        return true;
    }
}

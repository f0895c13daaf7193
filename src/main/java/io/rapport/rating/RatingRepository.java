package io.rapport.rating;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.rapport.instrument.ScoredRatings;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

@ApplicationScoped
public class RatingRepository implements PanacheRepositoryBase<Rating, Rating.Key>, ScoredRatings {

    public Optional<Rating> find(String clinicId, String visitId, String instrument) {
        return findByIdOptional(new Rating.Key(clinicId, visitId, instrument));
    }

    @Override
    public boolean any(String clinicId, String instrument) {
        // An explicit array: with three strings, find would be this class's key lookup above.
        return find("clinicId = ?1 and instrument = ?2", new Object[] {clinicId, instrument})
                .firstResultOptional()
                .isPresent();
    }
}

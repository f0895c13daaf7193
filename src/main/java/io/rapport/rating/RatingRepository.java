package io.rapport.rating;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

@ApplicationScoped
public class RatingRepository implements PanacheRepositoryBase<Rating, Rating.Key> {

    public Optional<Rating> find(String clinicId, String visitId, String instrument) {
        return findByIdOptional(new Rating.Key(clinicId, visitId, instrument));
    }
}

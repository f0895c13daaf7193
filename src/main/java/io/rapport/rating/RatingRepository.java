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
        // One row of rating_clinic_instrument_idx (V2), not the rating.
        return !getEntityManager()
                .createQuery("select 1 from Rating r where r.clinicId = ?1 and r.instrument = ?2", Integer.class)
                .setParameter(1, clinicId)
                .setParameter(2, instrument)
                .setMaxResults(1)
                .getResultList()
                .isEmpty();
    }
}

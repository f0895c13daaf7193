package io.rapport.visit;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

@ApplicationScoped
public class VisitRepository implements PanacheRepositoryBase<Visit, Visit.Key> {

    public Optional<Visit> find(String clinicId, String visitId) {
        return findByIdOptional(new Visit.Key(clinicId, visitId));
    }
}

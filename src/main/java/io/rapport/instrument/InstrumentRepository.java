package io.rapport.instrument;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;

@ApplicationScoped
public class InstrumentRepository implements PanacheRepositoryBase<Instrument, Instrument.Key> {

    public Optional<Instrument> find(String clinicId, String code) {
        return findByIdOptional(new Instrument.Key(clinicId, code));
    }

    public List<Instrument> ofClinic(String clinicId) {
        return list("clinicId = ?1 order by code", clinicId);
    }
}

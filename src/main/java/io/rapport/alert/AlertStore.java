package io.rapport.alert;

import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.rapport.db.ReadSnapshot;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reading alerts for managers, and their acknowledgement. Raising and resolving is {@link AlertEvaluator}'s. */
@ApplicationScoped
public class AlertStore {

    private final AlertRepository repository;
    private final ReadSnapshot snapshot;

    AlertStore(AlertRepository repository, ReadSnapshot snapshot) {
        this.repository = repository;
        this.snapshot = snapshot;
    }

    /**
     * One page of a clinic's alerts and how many there are, both in one snapshot: alerts are raised,
     * acknowledged and resolved all the time, and a page read after its count could hold alerts the
     * total did not, or miss ones it did.
     */
    @Transactional
    AlertPage list(String clinicId, List<String> statuses, String providerId, int page, int size) {
        snapshot.begin(repository.getEntityManager());
        String query = "clinicId = :clinic and status in :statuses"
                + (providerId == null ? "" : " and providerId = :provider");
        Map<String, Object> params = new HashMap<>();
        params.put("clinic", clinicId);
        params.put("statuses", statuses);
        if (providerId != null) {
            params.put("provider", providerId);
        }
        var found = repository.find(query, Sort.descending("raisedAt", "id"), params);
        long total = found.count();
        List<AlertView> items =
                found.page(Page.of(page, size)).list().stream().map(Alert::view).toList();
        return new AlertPage(page, size, total, items);
    }

    public List<AlertView> unresolvedFor(String clinicId, String visitId, String instrument) {
        return repository
                .list(
                        "clinicId = ?1 and visitId = ?2 and instrument = ?3 and status <> 'RESOLVED'",
                        Sort.ascending("id"),
                        clinicId,
                        visitId,
                        instrument)
                .stream()
                .map(Alert::view)
                .toList();
    }

    /** Marks an open alert acknowledged; an acknowledged or resolved one is left as it is. */
    @Transactional
    Optional<AlertView> acknowledge(String clinicId, long id, String note, String subject) {
        // One conditional update, so an evaluation resolving the alert at the same moment wins cleanly.
        repository.update(
                "status = 'ACKNOWLEDGED', acknowledgedAt = ?1, note = ?2, acknowledgedBy = ?3 "
                        + "where clinicId = ?4 and id = ?5 and status = 'OPEN'",
                Instant.now().truncatedTo(ChronoUnit.MICROS),
                note,
                subject,
                clinicId,
                id);
        return repository.findByIdOptional(new Alert.Key(clinicId, id)).map(Alert::view);
    }
}

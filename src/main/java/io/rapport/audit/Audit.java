package io.rapport.audit;

import io.rapport.config.Ids;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.RequestScoped;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * What a resource tells the audit trail about its request: which clinics it touched and how many
 * records it returned or wrote. Kept on the HTTP request, since the row is written once the
 * response has gone out with its final status.
 */
@RequestScoped
public class Audit {

    static final String CLINICS = "rapport.audit.clinics";
    static final String REFUSED_CLINICS = "rapport.audit.refused-clinics";
    static final String RECORDS = "rapport.audit.records";
    static final String ROUTE = "rapport.audit.route";

    private final RoutingContext http;

    public Audit(RoutingContext http) {
        this.http = http;
    }

    /**
     * The request touched this clinic. An id no clinic can have is left out: it names nothing,
     * and the row must not keep whatever text a caller sent in its place.
     */
    public Audit clinic(String clinicId) {
        named(http, clinicId);
        return this;
    }

    static void named(RoutingContext http, String clinicId) {
        add(http, CLINICS, clinicId);
    }

    /**
     * The clinics a batch named: those in the caller's scope as touched, the others as refused,
     * since their items were refused one by one while the request as a whole answered 200.
     */
    public Audit clinics(Collection<String> clinicIds, Predicate<String> inScope) {
        for (String id : clinicIds) {
            add(http, inScope.test(id) ? CLINICS : REFUSED_CLINICS, id);
        }
        return this;
    }

    private static void add(RoutingContext http, String key, String clinicId) {
        if (Ids.valid(clinicId)) {
            Set<String> clinics = http.get(key);
            if (clinics == null) {
                clinics = new TreeSet<>();
                http.put(key, clinics);
            }
            clinics.add(clinicId);
        }
    }

    public Audit records(long count) {
        http.put(RECORDS, count);
        return this;
    }
}

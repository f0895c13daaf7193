package io.rapport.audit;

import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.RequestScoped;
import java.util.Collection;
import java.util.function.Predicate;

/**
 * What a resource tells the audit trail about its request: which clinics it touched and how many
 * records it returned or wrote. Kept on the HTTP request, since the row is written once the
 * response has gone out with its final status.
 */
@RequestScoped
public class Audit {

    private final RoutingContext http;
    private final AuditRecorder recorder;

    /** This request's, once a resource has said something of it. */
    private AuditedRequest said;

    public Audit(RoutingContext http, AuditRecorder recorder) {
        this.http = http;
        this.recorder = recorder;
    }

    /**
     * The resource is done. When its client left before the answer was ready, the row written then
     * could not say what the request went on to do (a batch counts its records once it has
     * committed; a read counts what it found), and Quarkus runs no response
     * filter for such a request: a second row, under the same request id and status 499, says it.
     */
    @PreDestroy
    void requestEnded() {
        AuditedRequest.Row second = said == null ? null : said.stillToWrite();
        if (second != null) {
            recorder.record(said, second);
        }
    }

    private AuditedRequest request() {
        if (said == null) {
            said = http.get(AuditedRequest.KEY);
        }
        return said;
    }

    /**
     * The request touched this clinic. An id no clinic can have is left out: it names nothing,
     * and the row must not keep whatever text a caller sent in its place.
     */
    public Audit clinic(String clinicId) {
        AuditedRequest request = request();
        if (request != null) {
            request.clinic(clinicId, false);
        }
        return this;
    }

    /**
     * The clinics a batch named: those in the caller's scope as touched, the others as refused,
     * since their items were refused one by one while the request as a whole answered 200.
     */
    public Audit clinics(Collection<String> clinicIds, Predicate<String> inScope) {
        AuditedRequest request = request();
        if (request != null) {
            for (String id : clinicIds) {
                request.clinic(id, !inScope.test(id));
            }
        }
        return this;
    }

    public Audit records(long count) {
        AuditedRequest request = request();
        if (request != null) {
            request.records(count);
        }
        return this;
    }
}

package io.rapport.audit;

import io.rapport.config.Ids;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the trail will say of one API request, kept on the request by {@link AuditRecorder} and
 * filled in by the resource serving it ({@link Audit}). The two run on different threads, and a
 * client that leaves early ends the request on the event loop while its resource still works on a
 * worker, so every access holds this object's lock.
 */
final class AuditedRequest {

    static final String KEY = "rapport.audit.request";

    /** What a row says of a request whose client left before any answer was ready (nginx's code). */
    static final int CLIENT_CLOSED_REQUEST = 499;

    final String requestId;

    /** The request itself, for whoever writes its row: the connection's end or the resource's. */
    final RoutingContext http;

    private final Set<String> clinics = new TreeSet<>();
    private final Set<String> refusedClinics = new TreeSet<>();
    private long records;
    private String route;
    private Integer outcome;
    private boolean clientLeft;

    /** How many times a resource has added to what the row says, and how many the row written holds. */
    private int changes;

    private int changesWritten;

    AuditedRequest(String requestId, RoutingContext http) {
        this.requestId = requestId;
        this.http = http;
    }

    /**
     * A clinic the request touched, or, with {@code refused}, one a batch named outside the
     * caller's scope. An id no clinic can have is left out: it names nothing, and the row must not
     * keep whatever text a caller sent in its place.
     */
    synchronized void clinic(String clinicId, boolean refused) {
        if (Ids.valid(clinicId) && (refused ? refusedClinics : clinics).add(clinicId)) {
            changes++;
        }
    }

    synchronized void records(long count) {
        records = count;
        changes++;
    }

    synchronized void route(String template) {
        route = template;
    }

    /** The resource's answer is ready, with this status, about to be sent. */
    synchronized void answered(int status) {
        outcome = status;
    }

    /**
     * The connection is done with the request: its row, as it stands. Sent, with the status sent;
     * the client gone once the answer was ready, with that answer's; gone before, 499, and what the
     * resource goes on to do is written in a second row when it ends ({@link #stillToWrite}).
     */
    synchronized Row ended(boolean sent, int sentStatus) {
        changesWritten = changes;
        int status;
        if (sent) {
            status = sentStatus;
        } else if (outcome != null) {
            status = outcome;
        } else {
            clientLeft = true;
            status = CLIENT_CLOSED_REQUEST;
        }
        return new Row(status, fields());
    }

    /**
     * The second row of a request whose resource, ending after its client left, did more than the
     * row written then says (a batch counts its records once it has committed; a read counts what
     * it found), or null. Given once only.
     */
    synchronized Row stillToWrite() {
        boolean more = clientLeft && changes != changesWritten;
        changesWritten = changes;
        return more ? new Row(CLIENT_CLOSED_REQUEST, fields()) : null;
    }

    private Fields fields() {
        return new Fields(List.copyOf(clinics), List.copyOf(refusedClinics), records, route);
    }

    /** What a row says of the request: its status, and the request's figures at that moment. */
    record Row(int status, Fields fields) {}

    /** The request's figures at one moment. */
    record Fields(List<String> clinics, List<String> refusedClinics, long records, String route) {}
}

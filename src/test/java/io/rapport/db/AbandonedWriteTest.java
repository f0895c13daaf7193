package io.rapport.db;

import static io.rapport.support.Fixtures.unique;
import static io.rapport.support.Fixtures.visit;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.rapport.support.Locks;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A write the service gives up on ends in the server too. Answered 503 after the write timeout
 * (2.5 s), its connection closed, the session went on waiting in PostgreSQL for the lock it was
 * after, holding its rows and a connection slot, until statement_timeout (15 s): under a lock storm
 * each pod could leave dozens behind and fill the server's connections.
 */
@QuarkusTest
class AbandonedWriteTest {

    @Inject
    Locks locks;

    @Inject
    AgroalDataSource dataSource;

    @Test
    void aWriteAnswered503StopsWaitingInTheServer() throws Exception {
        String clinic = unique("c");
        // The visit's lock as Locks.holdVisitLock takes it, in a transaction the test profile's 5 s
        // idle-in-transaction timeout leaves alone, so the lock outlasts anything measured here.
        try (Connection lock = locks.hold(
                "SELECT set_config('idle_in_transaction_session_timeout', '0', true),"
                        + " pg_advisory_xact_lock(hashtext(?), hashtext(?) & 63)",
                clinic,
                "v-1")) {
            given().contentType(ContentType.JSON)
                    .body(visit(clinic, "v-1"))
                    .post("/api/v1/visits")
                    .then()
                    .statusCode(503);
            // The lock is still held; the abandoned session must be gone within the 1 s check
            // interval and some slack, not at statement_timeout (15 s).
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3000);
            int waiting = waiting();
            while (waiting > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
                waiting = waiting();
            }
            assertThat(waiting)
                    .as("sessions still waiting for the visit's lock")
                    .isZero();
            lock.rollback();
        }
        // Nothing of the abandoned write was stored.
        given().get("/api/v1/clinics/" + clinic + "/visits/v-1").then().statusCode(404);
    }

    private int waiting() throws Exception {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = 'advisory'");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }
}

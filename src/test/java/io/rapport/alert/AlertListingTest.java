package io.rapport.alert;

import static io.rapport.support.Fixtures.unique;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A manager's list of alerts while alerts are being raised. */
@QuarkusTest
class AlertListingTest {

    @Inject
    AgroalDataSource dataSource;

    /**
     * A page and its {@code total} describe the same moment. They were two statements, and an alert
     * raised between them was on the page but not in the total. The alerts are written straight
     * into the table, one commit each, numbered v-0, v-1, ..., while the newest is read over and
     * over: the newest of {@code total} alerts is v-(total - 1).
     */
    @Test
    void aPagesTotalCountsTheAlertsOnItWhileAlertsAreRaised() throws Exception {
        String clinic = unique("c");
        // A first read before the alerts start, so the loop below is not one slow first request.
        given().get("/api/v1/clinics/" + clinic + "/alerts").then().statusCode(200);
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Integer> raising = CompletableFuture.supplyAsync(() -> raise(clinic, stop));
        List<String> mismatches = new ArrayList<>();
        int reads = 0;
        try {
            while (!raising.isDone() && reads < 1_000) {
                JsonPath page = given().queryParam("size", 1)
                        .get("/api/v1/clinics/" + clinic + "/alerts")
                        .then()
                        .statusCode(200)
                        .extract()
                        .jsonPath();
                long total = page.getLong("total");
                String newest = page.getString("items[0].visitId");
                if (newest != null && !newest.equals("v-" + (total - 1))) {
                    mismatches.add("total " + total + " with " + newest + " the newest");
                }
                reads++;
            }
        } finally {
            stop.set(true);
        }
        int raised = raising.get(30, TimeUnit.SECONDS);
        assertThat(raised).as("alerts raised while the list was read").isPositive();
        assertThat(reads).as("reads").isGreaterThan(5);
        assertThat(mismatches).as("of %d reads", reads).isEmpty();
    }

    /**
     * A listing waits on the database as reads do, not as writes: with the alert table locked for
     * longer than the write timeout (2.5 s), it waits and answers once the lock is gone. Its
     * one-snapshot transaction was taken for a write, whose connection is cut off at 2.5 s, and
     * the manager got a 503 while the lock was still held.
     */
    @Test
    void aListingWaitsOnABusyDatabaseAsReadsDo() throws Exception {
        String clinic = unique("c");
        // A first read before the lock, so the listing below starts at once, well within the lock.
        given().get("/api/v1/clinics/" + clinic + "/alerts").then().statusCode(200);
        CompletableFuture<Void> locked = new CompletableFuture<>();
        AtomicBoolean released = new AtomicBoolean();
        CompletableFuture<Void> holding = CompletableFuture.runAsync(() -> {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                try (java.sql.Statement st = c.createStatement()) {
                    st.execute("LOCK TABLE alert IN ACCESS EXCLUSIVE MODE");
                }
                locked.complete(null);
                // Under the suite's idle-in-transaction timeout (5 s), which would end the lock itself.
                Thread.sleep(4_500);
                released.set(true);
                c.commit();
            } catch (Exception e) {
                locked.completeExceptionally(e);
                throw new IllegalStateException(e);
            }
        });
        locked.get(10, TimeUnit.SECONDS);
        given().get("/api/v1/clinics/" + clinic + "/alerts")
                .then()
                .statusCode(200)
                .body("total", org.hamcrest.Matchers.equalTo(0));
        assertThat(released).as("answered after the lock was released").isTrue();
        holding.get(10, TimeUnit.SECONDS);
    }

    /** Inserts open alerts for the clinic, one transaction each, until told to stop or 1,000 are in. */
    private int raise(String clinic, AtomicBoolean stop) {
        String sql = "INSERT INTO alert (clinic_id, visit_id, instrument, reason, provider_id, total, cutoff,"
                + " status, raised_at) VALUES (?, ?, 'SRS', 'BELOW_CUTOFF', 'dr-a', 20, 36, 'OPEN', now())";
        int raised = 0;
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            while (!stop.get() && raised < 1_000) {
                ps.setString(1, clinic);
                ps.setString(2, "v-" + raised);
                ps.executeUpdate();
                raised++;
                // A few milliseconds apart, so the reads, each a few milliseconds too, meet them.
                Thread.sleep(2);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return raised;
    }
}

package io.rapport.ingest;

import static io.rapport.support.Fixtures.unique;
import static io.rapport.support.Fixtures.visit;
import static io.rapport.support.Fixtures.with;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.rapport.support.Db;
import io.rapport.support.FaultProxy;
import io.rapport.support.Http;
import io.rapport.support.Pools;
import io.rapport.support.TestDatabase;
import io.rapport.support.Tokens;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * A platform that retries on 503, 429 and network errors, posting 5,000 visits (singles and
 * batches) while the connection to the database black-holes, slows down and resets. At the end
 * every visit is stored exactly once, with the content sent and revision 1.
 */
@QuarkusTest
class AtLeastOnceDeliveryTest {

    private static final int VISITS = 5_000;
    private static final int SINGLES = 500;
    private static final int BATCH = 50;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    Db db;

    private static final String TOKEN = Tokens.bearer(Tokens.suite("at-least-once-client"));

    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void everyVisitIsStoredOnceThroughDropsDelaysAndResets() throws Exception {
        String clinic = unique("alo");
        List<Map<String, Object>> visits = new ArrayList<>();
        long expectedFaceToFace = 0;
        for (int i = 0; i < VISITS; i++) {
            int faceToFace = 600 + i % 1000;
            expectedFaceToFace += faceToFace;
            visits.add(with(
                    visit(clinic, "v-" + i), "faceToFaceSeconds", faceToFace, "documentationSeconds", 120 + i % 3000));
        }
        // Singles first in the list, then batches; the order of sending is shuffled with a fixed seed.
        List<Object> units = new ArrayList<>(visits.subList(0, SINGLES));
        for (int i = SINGLES; i < VISITS; i += BATCH) {
            units.add(new ArrayList<>(visits.subList(i, Math.min(VISITS, i + BATCH))));
        }
        Collections.shuffle(units, new Random(9));
        ConcurrentLinkedQueue<Object> work = new ConcurrentLinkedQueue<>(units);

        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger retries = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(5);
        FaultProxy proxy = TestDatabase.proxy();
        try {
            Future<?> faults = pool.submit(() -> injectFaults(proxy, done));
            List<Future<?>> senders = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                senders.add(pool.submit(() -> {
                    for (Object unit = work.poll(); unit != null; unit = work.poll()) {
                        retries.addAndGet(sendUntilAcknowledged(unit));
                    }
                    return null;
                }));
            }
            for (Future<?> s : senders) {
                s.get();
            }
            done.set(true);
            faults.get();
        } finally {
            done.set(true);
            pool.shutdownNow();
            proxy.pass();
        }
        assertThat(Http.until2xx(Duration.ofSeconds(30), Http::ready).statusCode())
                .isEqualTo(200);
        Pools.dropBrokenConnections();

        assertThat(db.count("SELECT count(*) FROM visit WHERE clinic_id = ?", clinic))
                .isEqualTo(VISITS);
        assertThat(db.count("SELECT count(DISTINCT visit_id) FROM visit WHERE clinic_id = ?", clinic))
                .isEqualTo(VISITS);
        assertThat(db.count("SELECT count(*) FROM visit WHERE clinic_id = ? AND revision = 1", clinic))
                .isEqualTo(VISITS);
        assertThat(db.count("SELECT sum(face_to_face_seconds) FROM visit WHERE clinic_id = ?", clinic))
                .isEqualTo(expectedFaceToFace);
        // documentation_seconds = 120 + i % 3000 for visit v-i: every row holds its own visit's content.
        assertThat(db.count(
                        "SELECT count(*) FROM visit WHERE clinic_id = ?"
                                + " AND documentation_seconds = 120 + CAST(substring(visit_id FROM 3) AS integer) % 3000",
                        clinic))
                .isEqualTo(VISITS);
        // The faults must actually have been felt, or this test proves nothing.
        assertThat(retries.get()).as("retries after faults").isPositive();
    }

    /** Cycles through faults until the senders are done. */
    private static Void injectFaults(FaultProxy proxy, AtomicBoolean done) throws InterruptedException {
        int step = 0;
        while (!done.get()) {
            switch (step++ % 4) {
                case 0 -> proxy.pass();
                case 1 -> proxy.blackHole();
                case 2 -> proxy.delay(20);
                default -> proxy.reset();
            }
            Thread.sleep(step % 4 == 2 ? 700 : 1200);
        }
        proxy.pass();
        return null;
    }

    /** Posts one unit until it is acknowledged; answers how many retries it took. */
    private int sendUntilAcknowledged(Object unit) throws Exception {
        boolean batch = unit instanceof List;
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create(base() + (batch ? "/api/v1/visits/batch" : "/api/v1/visits")))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("Authorization", TOKEN)
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(unit)))
                .build();
        for (int attempt = 0; ; attempt++) {
            int status;
            String body = "";
            try {
                HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                status = r.statusCode();
                body = r.body();
            } catch (IOException e) {
                status = -1;
            }
            if (status == 200 || status == 201) {
                if (batch) {
                    var results = JSON.readTree(body).get("results");
                    for (var item : results) {
                        assertThat(item.get("revision").asInt()).isEqualTo(1);
                    }
                    assertThat(JSON.readTree(body).get("rejected").asInt()).isZero();
                }
                return attempt;
            }
            assertThat(status).as("only retryable failures: " + body).isIn(-1, 429, 503);
            assertThat(attempt).as("gave up").isLessThan(200);
            // Sooner than Retry-After asks, to keep the run short; a real client honours it.
            Thread.sleep(100);
        }
    }

    private static String base() {
        int port = ConfigProvider.getConfig()
                .getOptionalValue("quarkus.http.test-port", Integer.class)
                .orElse(8081);
        return "http://localhost:" + port;
    }
}

package io.rapport.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.OperatingSystemMXBean;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.rapport.security.Caller;
import io.rapport.security.Pseudonymizer;
import io.rapport.security.Roles;
import io.rapport.support.Db;
import io.rapport.support.Tokens;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.StringReader;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * Not a test: measures ingest against what the database itself takes, and prints one table (also
 * written to {@code target/bench/ingest-benchmark.json}). Run with {@code ./mvnw verify -Pbench}:
 * one Quarkus, one embedded PostgreSQL running durable (fsync and synchronous_commit on).
 *
 * <ol>
 *   <li>A warm-up on other clinics until the JIT has little left to compile ({@link #warmUp}).
 *   <li>The limit: raw {@code COPY} of the same N visits (and N ratings) into copies of the tables
 *       with the same indexes and constraints.
 *   <li>N visits through {@code POST /api/v1/visits/batch}, 1,000 per request, 4 concurrent
 *       clients, wall time until all are acknowledged; then the same batches replayed.
 *   <li>N SRS ratings through {@code /api/v1/ratings/batch}, alerts evaluated, same clients.
 *   <li>Single {@code POST /api/v1/visits} at a fixed offered rate, open model: each request has
 *       an intended start time and its latency counts from there, so a stall is not hidden by the
 *       client waiting (no coordinated omission).
 *   <li>Resident memory (VmRSS) of this JVM, sampled during the load. The service and the load
 *       client share it, so it is an upper bound on the service's own.
 *   <li>The machine's pace ({@link MachinePace}) before the limit's {@code COPY} and after the
 *       queries, so the rates of two days can be compared.
 * </ol>
 *
 * Machines here are shared: compare ratios, and run it more than once.
 */
@QuarkusTest
// Durable, as production runs: the suite's own database runs with fsync off.
@TestProfile(IngestAndTrendBenchmark.OneKey.class)
class IngestAndTrendBenchmark {

    /**
     * {@link QueryBenchmark.Durable}, with the active pseudonym key alone: the test profile also
     * keeps a former key, as a rotation in progress does, and ingest then computes every patient's
     * former pseudonym and looks for visits still under it, a cost a service pays only until the
     * former key is retired. A configured key cannot be unset, so this runs under a profile of its
     * own that takes every test setting but that key.
     */
    public static class OneKey extends QueryBenchmark.Durable {
        private static final String FORMER_KEY = "%test.rapport.pseudonym.keys.k2025";

        @Override
        public String getConfigProfile() {
            return "bench";
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            Properties application = new Properties();
            try (var in = OneKey.class.getResourceAsStream("/application.properties")) {
                application.load(in);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            Map<String, String> overrides = new java.util.HashMap<>();
            for (String name : application.stringPropertyNames()) {
                if (name.startsWith("%test.") && !name.equals(FORMER_KEY)) {
                    overrides.put(name.substring("%test.".length()), application.getProperty(name));
                }
            }
            overrides.putAll(super.getConfigOverrides());
            return overrides;
        }
    }

    /**
     * A platform's token for every clinic. Its subject has no rate limit in the bench profile
     * (pom.xml): the benchmark measures what the service and database take, not the throttle.
     */
    private static final String BEARER = Tokens.bearer(
            Tokens.token("bench-platform", List.of(Roles.INGEST, Roles.ANALYST), List.of(Caller.ALL_CLINICS)));

    private static final int N = Integer.getInteger("bench.n", 100_000);
    private static final int BATCH = 1000;
    private static final int CLIENTS = 4;
    private static final int SINGLE_RATE = Integer.getInteger("bench.single.rate", 500);
    private static final int SINGLE_SECONDS = Integer.getInteger("bench.single.seconds", 20);
    private static final int QUERY_RUNS = 9;
    private static final int WARMUP_BATCHES = 20;
    private static final int WARMUP_MAX_SECONDS = Integer.getInteger("bench.warmup.seconds", 120);

    @Inject
    AgroalDataSource dataSource;

    @Inject
    Pseudonymizer pseudonymizer;

    @Inject
    Db db;

    @Inject
    ObjectMapper mapper;

    private final Random random = new Random(7);
    private final Instant base = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(360, ChronoUnit.DAYS);
    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<String[]> table = new ArrayList<>();
    private final AtomicLong maxRss = new AtomicLong();

    private String url(String path) {
        return "http://localhost:" + RestAssured.port + path;
    }

    private List<Map<String, Object>> visits(String clinic, int count) {
        List<Map<String, Object>> out = new ArrayList<>(count);
        for (int n = 0; n < count; n++) {
            Instant start = base.plusSeconds((long) n * 360 * 86400 / count).plusSeconds(random.nextInt(600));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("clinicId", clinic);
            m.put("visitId", "v-" + n);
            m.put("providerId", "prov-" + random.nextInt(40));
            m.put("patientId", "pat-" + random.nextInt(20_000));
            m.put(
                    "modality",
                    List.of("VIDEO", "PHONE", "IN_PERSON", "MESSAGING").get(random.nextInt(4)));
            m.put("scheduledStart", start.minusSeconds(random.nextInt(900)).toString());
            m.put("startedAt", start.toString());
            m.put("endedAt", start.plusSeconds(1800).toString());
            m.put("faceToFaceSeconds", 300 + random.nextInt(1500));
            m.put("documentationSeconds", random.nextInt(2400));
            m.put("responseLatencySeconds", Math.round(random.nextDouble() * 3000) / 10.0);
            m.put("patientTalkShare", Math.round(random.nextDouble() * 100) / 100.0);
            m.put("connectionDrops", random.nextInt(3));
            m.put("recordedAt", start.plusSeconds(1900).toString());
            out.add(m);
        }
        return out;
    }

    /**
     * One SRS rating per visit, four answers of 7.0 to 10.0 each: a total of 28 to 40, under the
     * cutoff of 36 for about six ratings in seven, so most ratings open an alert and the pass
     * measures alert evaluation at its heaviest (the table prints how many it opened).
     */
    private List<Map<String, Object>> ratings(String clinic, int count) {
        List<Map<String, Object>> out = new ArrayList<>(count);
        for (int n = 0; n < count; n++) {
            List<Double> items = new ArrayList<>();
            for (int k = 0; k < 4; k++) {
                items.add((70 + random.nextInt(31)) / 10.0);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("clinicId", clinic);
            m.put("visitId", "v-" + n);
            m.put("instrument", "SRS");
            m.put("items", items);
            m.put("submittedAt", base.toString());
            m.put("recordedAt", base.toString());
            out.add(m);
        }
        return out;
    }

    private List<byte[]> batches(List<Map<String, Object>> events) throws IOException {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < events.size(); i += BATCH) {
            out.add(mapper.writeValueAsBytes(events.subList(i, Math.min(events.size(), i + BATCH))));
        }
        return out;
    }

    // ---- the limit: COPY ----

    private double copyRate(String table, String like, String columns, String data) throws Exception {
        return copyRateInto(table, "CREATE TABLE " + table + " (LIKE " + like + " INCLUDING ALL)", columns, data);
    }

    /**
     * The limit as the runs before V15 measured it: visit's columns with the three plain indexes
     * visit had then, before V15 moved the facts' covering window index onto it.
     */
    private double copyRateBeforeV15(String columns, String data) throws Exception {
        String t = "bench_copy_visit_v14";
        return copyRateInto(
                t,
                "CREATE TABLE " + t + " (LIKE visit INCLUDING DEFAULTS INCLUDING CONSTRAINTS);"
                        + " ALTER TABLE " + t + " ADD PRIMARY KEY (clinic_id, visit_id);"
                        + " CREATE INDEX ON " + t + " (clinic_id, started_at);"
                        + " CREATE INDEX ON " + t + " (clinic_id, patient_pseudonym, started_at)",
                columns,
                data);
    }

    private double copyRateInto(String table, String create, String columns, String data) throws Exception {
        try (Connection c = dataSource.getConnection();
                Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS " + table);
            st.execute(create);
            long t0 = System.nanoTime();
            long rows = c.unwrap(PGConnection.class)
                    .getCopyAPI()
                    .copyIn("COPY " + table + " (" + columns + ") FROM STDIN", new StringReader(data));
            double seconds = (System.nanoTime() - t0) / 1e9;
            st.execute("DROP TABLE " + table);
            return rows / seconds;
        }
    }

    private static String cell(Object o) {
        return o == null ? "\\N" : o.toString();
    }

    private String visitCopyData(List<Map<String, Object>> visits, Instant receivedAt) {
        StringBuilder sb = new StringBuilder();
        for (Map<String, Object> v : visits) {
            String pseudonym = pseudonymizer.pseudonym((String) v.get("patientId"));
            sb.append(String.join(
                            "\t",
                            cell(v.get("clinicId")),
                            cell(v.get("visitId")),
                            cell(v.get("providerId")),
                            pseudonym,
                            cell(v.get("modality")),
                            cell(v.get("scheduledStart")),
                            cell(v.get("startedAt")),
                            cell(v.get("endedAt")),
                            cell(v.get("faceToFaceSeconds")),
                            cell(v.get("documentationSeconds")),
                            "\\N",
                            cell(v.get("responseLatencySeconds")),
                            cell(v.get("patientTalkShare")),
                            cell(v.get("connectionDrops")),
                            cell(v.get("recordedAt")),
                            receivedAt.toString(),
                            "1"))
                    .append('\n');
        }
        return sb.toString();
    }

    @SuppressWarnings("unchecked")
    private static String ratingCopyData(List<Map<String, Object>> ratings, Instant receivedAt) {
        StringBuilder sb = new StringBuilder();
        for (Map<String, Object> r : ratings) {
            List<Double> items = (List<Double>) r.get("items");
            double total = items.stream().mapToDouble(Double::doubleValue).sum();
            StringBuilder array = new StringBuilder("{");
            for (int k = 0; k < items.size(); k++) {
                array.append(k == 0 ? "" : ",").append(items.get(k));
            }
            array.append('}');
            sb.append(String.join(
                            "\t",
                            cell(r.get("clinicId")),
                            cell(r.get("visitId")),
                            "SRS",
                            array,
                            "t",
                            Double.toString(total),
                            Double.toString(total / 40),
                            "{}",
                            "\\N",
                            cell(r.get("submittedAt")),
                            cell(r.get("recordedAt")),
                            receivedAt.toString(),
                            "1"))
                    .append('\n');
        }
        return sb.toString();
    }

    // ---- HTTP load ----

    /** Batches answered 503 and sent again, over the whole run. */
    private final AtomicInteger retried = new AtomicInteger();

    private HttpResponse<String> send(String path, byte[] body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url(path)))
                        .header("Content-Type", "application/json")
                        .header("Authorization", BEARER)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Posts every batch, CLIENTS at a time, and answers events per second. Every batch must be
     * answered 200 with nothing rejected and, unless a 503 made the client retry it (it may then
     * have been stored already), nothing of its items under {@code noneOf} (say "created" for a
     * replay, which must find every item unchanged).
     */
    private double postAll(String path, List<byte[]> batches, int events, String... noneOf) throws Exception {
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        long t0 = System.nanoTime();
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int k = 0; k < CLIENTS; k++) {
                running.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < batches.size(); i = next.getAndIncrement()) {
                        HttpResponse<String> r = send(path, batches.get(i));
                        boolean wasRetried = false;
                        // As a platform does: a 503 (database busy, write timed out) is retried after
                        // Retry-After; retries are idempotent, and counted.
                        while (r.statusCode() == 503) {
                            wasRetried = true;
                            retried.incrementAndGet();
                            Thread.sleep(1000L
                                    * Long.parseLong(r.headers()
                                            .firstValue("Retry-After")
                                            .orElse("1")));
                            r = send(path, batches.get(i));
                        }
                        boolean expected = r.statusCode() == 200 && r.body().contains("\"rejected\":0");
                        for (String outcome : noneOf) {
                            expected &= wasRetried || r.body().contains("\"" + outcome + "\":0");
                        }
                        if (!expected) {
                            throw new IllegalStateException("batch answered " + r.statusCode() + ": "
                                    + r.body()
                                            .substring(0, Math.min(300, r.body().length())));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return events / ((System.nanoTime() - t0) / 1e9);
    }

    /** Single visits at a fixed offered rate for a number of seconds, open model. */
    private OpenModel.Latencies openModel(String clinic, int rate, int seconds, int firstId) throws Exception {
        List<HttpRequest> requests = new ArrayList<>();
        for (Map<String, Object> v : visits(clinic, rate * seconds)) {
            v.put("visitId", "s-" + (firstId + requests.size()));
            requests.add(HttpRequest.newBuilder(URI.create(url("/api/v1/visits")))
                    .header("Content-Type", "application/json")
                    .header("Authorization", BEARER)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(mapper.writeValueAsBytes(v)))
                    .build());
        }
        return OpenModel.send(http, rate, requests, 201);
    }

    private Thread rssSampler() {
        Thread t = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                        if (line.startsWith("VmRSS:")) {
                            long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                            maxRss.accumulateAndGet(kb, Math::max);
                        }
                    }
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                } catch (IOException | RuntimeException e) {
                    return; // not Linux: no RSS figure
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * CPU time so far, in ms, of this JVM (service and benchmark clients) and of every PostgreSQL
     * process of the machine (the embedded server's backends, writer, WAL writer), from /proc; 0
     * where /proc is missing. A pass's difference over its events says where its time went, and
     * its sum over the wall time how many of the cores it kept busy.
     */
    private static long[] cpuMillis() {
        long jvm =
                ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1_000_000;
        long ticks = 0;
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path proc : (Iterable<Path>) procs::iterator) {
                if (!proc.getFileName().toString().chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String stat = Files.readString(proc.resolve("stat"));
                    int close = stat.lastIndexOf(')');
                    if (!stat.substring(stat.indexOf('(') + 1, close).equals("postgres")) {
                        continue;
                    }
                    String[] f = stat.substring(close + 2).split(" ");
                    ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
                } catch (IOException | RuntimeException e) {
                    // the process ended meanwhile
                }
            }
        } catch (IOException e) {
            return new long[] {jvm, 0};
        }
        return new long[] {jvm, ticks * 10}; // USER_HZ is 100 on Linux
    }

    /** Runs one pass and prints where its CPU went, per 1,000 events; the pass answers its rate. */
    private double measured(String pass, Callable<Double> run, int events) throws Exception {
        long[] before = cpuMillis();
        double rate = run.call();
        long[] after = cpuMillis();
        double wallMillis = events / rate * 1000;
        long jvm = after[0] - before[0], pg = after[1] - before[1];
        row(
                "CPU per 1,000 events, " + pass,
                String.format(
                        Locale.ROOT,
                        "JVM %.0f ms, PostgreSQL %.0f ms; %.2f of the cores busy",
                        jvm * 1000.0 / events,
                        pg * 1000.0 / events,
                        (jvm + pg) / wallMillis),
                "",
                "");
        return rate;
    }

    private void row(String what, String rapport, String limit, String ratio) {
        table.add(new String[] {what, rapport, limit, ratio});
        // Each figure as soon as it is measured, so a later phase that fails does not lose it.
        System.out.println("BENCH " + what + ": " + rapport
                + (limit.isEmpty() ? "" : " (limit " + limit + ", ratio " + ratio + ")"));
    }

    /**
     * Warm-up on other clinics, so the measured clinic starts empty: rounds of new visits, the same
     * visits replayed and their ratings, until the JIT has little left to compile (its compilation
     * time in a round under a tenth of the round's wall time) or WARMUP_MAX_SECONDS have passed.
     * With five batches of visits as the only warm-up, the JVM's compiler threads took a fifth of
     * both cores through every measured pass (perf, 2026-11-30), and the limit's COPY ran beside
     * them too: a service that has run for a while compiles nothing.
     */
    private String warmUp() throws Exception {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        long start = System.nanoTime();
        for (int round = 1; ; round++) {
            long compiled = jit.getTotalCompilationTime();
            long t0 = System.nanoTime();
            String clinic = "bench-warm-" + System.nanoTime();
            List<byte[]> visits = batches(visits(clinic, WARMUP_BATCHES * BATCH));
            postAll("/api/v1/visits/batch", visits, WARMUP_BATCHES * BATCH);
            postAll("/api/v1/visits/batch", visits, WARMUP_BATCHES * BATCH);
            postAll("/api/v1/ratings/batch", batches(ratings(clinic, WARMUP_BATCHES * BATCH)), WARMUP_BATCHES * BATCH);
            long wallMillis = (System.nanoTime() - t0) / 1_000_000;
            long jitMillis = jit.getTotalCompilationTime() - compiled;
            long seconds = (System.nanoTime() - start) / 1_000_000_000;
            System.out.printf(
                    Locale.ROOT,
                    "BENCH warm-up round %d: %d ms, %d ms of it compiling (JIT)%n",
                    round,
                    wallMillis,
                    jitMillis);
            if (jitMillis * 10 < wallMillis || seconds >= WARMUP_MAX_SECONDS) {
                settle();
                return String.format(
                        Locale.ROOT,
                        "%d rounds, %d s, the last %d ms with %d ms compiling",
                        round,
                        seconds,
                        wallMillis,
                        jitMillis);
            }
        }
    }

    /**
     * The warm-up's rows vacuumed and analysed, and a checkpoint: otherwise autovacuum and the
     * checkpointer worked through them during the limit's COPY and the passes (the COPY of visits
     * ran at 86,502 rows/s in such a run, against 95,000-109,000 in runs with a short warm-up).
     */
    private void settle() throws Exception {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement()) {
            s.execute("VACUUM (ANALYZE) visit, rating, rating_fact, alert");
            s.execute("CHECKPOINT");
        }
    }

    private static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%,.0f /s", perSecond);
    }

    private static String ratio(double a, double b) {
        return String.format(Locale.ROOT, "%.2f", a / b);
    }

    @Test
    void printFigures() throws Exception {
        Thread sampler = rssSampler();
        String clinic = "bench-" + System.nanoTime();
        List<Map<String, Object>> visits = visits(clinic, N);
        List<Map<String, Object>> ratings = ratings(clinic, N);
        List<byte[]> visitBatches = batches(visits);
        List<byte[]> ratingBatches = batches(ratings);
        Instant now = Instant.now();

        String warmup = warmUp();
        retried.set(0);
        // Measured here, after the warm-up's checkpoint and before the limit's COPY, so it times the
        // machine as the passes meet it; again after the queries. The ratios need no pace, since the
        // limit is measured in the same run, but the rates of two days compare only beside it.
        MachinePace paceBefore = MachinePace.measure(dataSource);

        String visitColumns = "clinic_id, visit_id, provider_id, patient_pseudonym, modality, scheduled_start, "
                + "started_at, ended_at, face_to_face_seconds, documentation_seconds, "
                + "after_hours_documentation_seconds, response_latency_seconds, patient_talk_share, "
                + "connection_drops, recorded_at, received_at, revision";
        String visitRows = visitCopyData(visits, now);
        double copyVisits = copyRate("bench_copy_visit", "visit", visitColumns, visitRows);
        double copyVisitsBeforeV15 = copyRateBeforeV15(visitColumns, visitRows);
        String ratingColumns = "clinic_id, visit_id, instrument, items, complete, total, normalized, subscales, "
                + "category, submitted_at, recorded_at, received_at, revision";
        double copyRatings = copyRate("bench_copy_rating", "rating", ratingColumns, ratingCopyData(ratings, now));

        double visitRate = measured(
                "new visits", () -> postAll("/api/v1/visits/batch", visitBatches, N, "updated", "unchanged"), N);
        double replayRate = measured(
                "replayed visits", () -> postAll("/api/v1/visits/batch", visitBatches, N, "created", "updated"), N);
        double ratingRate = measured(
                "ratings", () -> postAll("/api/v1/ratings/batch", ratingBatches, N, "updated", "unchanged"), N);
        row(
                "POST /visits/batch, " + N + " new visits, 1000 per request, " + CLIENTS + " clients",
                rate(visitRate),
                rate(copyVisits),
                ratio(visitRate, copyVisits));
        row("the same batches replayed", rate(replayRate), rate(copyVisits), ratio(replayRate, copyVisits));
        row(
                "new visits against the limit as before V15 (visit's three plain indexes)",
                rate(visitRate),
                rate(copyVisitsBeforeV15),
                ratio(visitRate, copyVisitsBeforeV15));
        row(
                "POST /ratings/batch, " + N + " SRS ratings, alerts evaluated",
                rate(ratingRate),
                rate(copyRatings),
                ratio(ratingRate, copyRatings));
        row(
                "alerts the rating pass opened",
                db.count("SELECT count(*) FROM alert WHERE clinic_id = ?", clinic) + " for " + N + " ratings",
                "",
                "");
        row("batches answered 503 and retried (all three passes)", String.valueOf(retried.get()), "", "");
        row("warm-up before them, until the JIT settled", warmup, "", "");
        row(
                "pseudonym keys",
                pseudonymizer.rotated() ? "active and former (a rotation in progress)" : "the active key alone",
                "",
                "");

        String singles = "bench-single-" + System.nanoTime();
        openModel(singles, SINGLE_RATE, 3, 0); // warm-up at the same rate
        OpenModel.Latencies single = openModel(singles, SINGLE_RATE, SINGLE_SECONDS, 1_000_000);
        Histogram h = single.histogram();
        row(
                "single POST /visits at " + SINGLE_RATE + "/s offered, " + SINGLE_SECONDS + " s (open model)",
                String.format(
                        Locale.ROOT,
                        "p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms, %d not 201",
                        h.getValueAtPercentile(50) / 1000.0,
                        h.getValueAtPercentile(99) / 1000.0,
                        h.getValueAtPercentile(99.9) / 1000.0,
                        h.getMaxValue() / 1000.0,
                        single.failed()),
                "",
                "");
        sampler.interrupt();
        row(
                "resident memory (VmRSS) of the JVM during the load, service and client together",
                maxRss.get() / 1024 + " MB",
                "",
                "");

        // Each call a window one day later, so that every answer is computed rather than given
        // again from the answers kept (io.rapport.trend.AnswerCache); then the same summary asked
        // again, which is.
        Map<String, String> queries = new LinkedHashMap<>();
        queries.put("summary over the " + N + " visits, one year", "/api/v1/clinics/" + clinic + "/summary%s");
        queries.put(
                "trends weekly mean faceToFaceShare", "/api/v1/clinics/" + clinic + "/trends%s&metric=faceToFaceShare");
        queries.put(
                "trends daily SRS.total mean", "/api/v1/clinics/" + clinic + "/trends%s&metric=SRS.total&interval=day");
        queries.put("providers", "/api/v1/clinics/" + clinic + "/providers%s");
        queries.put("drivers SRS", "/api/v1/clinics/" + clinic + "/drivers%s&instrument=SRS");
        for (Map.Entry<String, String> q : queries.entrySet()) {
            get(String.format(q.getValue(), yearFrom(base, QUERY_RUNS)));
            List<Long> times = new ArrayList<>();
            for (int i = 0; i < QUERY_RUNS; i++) {
                String path = String.format(q.getValue(), yearFrom(base, i));
                long t0 = System.nanoTime();
                get(path);
                times.add(System.nanoTime() - t0);
            }
            row("GET " + q.getKey() + " (median of " + QUERY_RUNS + ")", medianMs(times), "", "");
        }
        String again = String.format(queries.values().iterator().next(), yearFrom(base, 0));
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < QUERY_RUNS; i++) {
            long t0 = System.nanoTime();
            get(again);
            times.add(System.nanoTime() - t0);
        }
        row("GET the same summary again, answer kept (median of " + QUERY_RUNS + ")", medianMs(times), "", "");
        row("machine pace before the passes", paceBefore.words(), "", "");
        row("machine pace after the queries", MachinePace.measure(dataSource).words(), "", "");
        print();
    }

    /** The query string of a year's window starting {@code days} after {@code base}. */
    private static String yearFrom(Instant base, int days) {
        Instant from = base.plus(days, ChronoUnit.DAYS);
        return "?from=" + from.toString().substring(0, 10) + "&to="
                + from.plus(365, ChronoUnit.DAYS).toString().substring(0, 10);
    }

    private static String medianMs(List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        sorted.sort(null);
        return String.format(Locale.ROOT, "%.1f ms", sorted.get(sorted.size() / 2) / 1e6);
    }

    private void get(String path) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(url(path)))
                        .header("Authorization", BEARER)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(path + " answered " + r.statusCode());
        }
    }

    private void print() throws IOException {
        String[] head = {"what", "Rapport", "limit (raw COPY, same rows)", "ratio"};
        int[] width = new int[head.length];
        List<String[]> all = new ArrayList<>();
        all.add(head);
        all.addAll(table);
        for (String[] r : all) {
            for (int k = 0; k < r.length; k++) {
                width[k] = Math.max(width[k], r[k].length());
            }
        }
        StringBuilder out = new StringBuilder("\nBENCH ingest, "
                + Runtime.getRuntime().availableProcessors() + " cores, embedded PostgreSQL durable\n");
        for (String[] r : all) {
            out.append("| ");
            for (int k = 0; k < r.length; k++) {
                out.append(String.format("%-" + width[k] + "s | ", r[k]));
            }
            out.append('\n');
        }
        System.out.println(out);
        List<Map<String, String>> json = new ArrayList<>();
        for (String[] r : table) {
            Map<String, String> m = new LinkedHashMap<>();
            for (int k = 0; k < head.length; k++) {
                m.put(head[k], r[k]);
            }
            json.add(m);
        }
        Path file = Path.of("target", "bench", "ingest-benchmark.json");
        Files.createDirectories(file.getParent());
        Files.writeString(
                file,
                mapper.writerWithDefaultPrettyPrinter()
                        .writeValueAsString(Map.of("measuredAt", Instant.now().toString(), "rows", json)),
                StandardCharsets.UTF_8);
        System.out.println("BENCH written to " + file.toAbsolutePath());
    }
}

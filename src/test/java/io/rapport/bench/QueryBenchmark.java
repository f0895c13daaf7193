package io.rapport.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.rapport.security.Roles;
import io.rapport.support.Tokens;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.StringReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Not a test: how the clinic-manager endpoints answer for one busy clinic as the table around it
 * grows, printed as one table (also written to {@code target/bench/query-benchmark.json}). Run with
 * {@code ./mvnw verify -Pbench -Dtest=QueryBenchmark}: one Quarkus and Rapport's own embedded
 * PostgreSQL, durable ({@link Durable}). Try it small first with
 * {@code -Dbench.query.sizes=200000,400000}; {@code bench.query.warmup} and {@code bench.query.runs}
 * set the calls per endpoint and window (2 and 20).
 *
 * <ol>
 *   <li>Load by {@code COPY}, as fast as the database takes rows, so the benchmark spends its time on
 *       the queries: one busy clinic (100,000 visits a year, 40 providers, 17,000 patients, 60%
 *       rated on the SRS) and filler clinics (1,500-3,500 visits a month each) until {@code visit}
 *       holds the first size; rows arrive interleaved by time across clinics, as real ingest
 *       would, so one clinic's rows are scattered over the heap as they would be in production.
 *       {@code visit_fact} is a view of {@code visit} (V15), and the triggers keep {@code
 *       rating_fact} inside each COPY's transaction, as they do for ingest. Then {@code VACUUM ANALYZE}, which is what autovacuum would reach on its own.
 *   <li>Each manager endpoint for the busy clinic over HTTP, with an analyst token, for a 90-day and
 *       a 365-day window. The window moves by a day on every call, so what is timed is the work,
 *       not a result some layer kept from the call before.
 *   <li>More filler clinics until {@code visit} holds the next size, and the same calls again. The
 *       busy clinic is unchanged, so with an index that reads only its window the times should not
 *       follow the table's size: the ratio of the two is the figure that says so.
 * </ol>
 *
 * Nothing here asserts speed; every answer is checked for a plausible body (the busy clinic's exact
 * visit count, which the generator knows), so a broken endpoint is never timed as a fast one.
 * Machines here are shared: the load average is printed beside the figures, and one run is one
 * sample.
 */
@QuarkusTest
@TestProfile(QueryBenchmark.DurableComputed.class)
class QueryBenchmark {

    /**
     * Rapport's own embedded PostgreSQL, durable (fsync and synchronous_commit on), reached
     * directly, as in production. Without this profile the suite's global {@code TestDatabase}
     * would supply the database: a throwaway server with fsync off, reached through the
     * {@code FaultProxy}, which the bench profile's {@code rapport.embedded-db.durable=true} does
     * not change (that property only reaches a database Rapport starts itself).
     */
    public static class Durable implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // The profile-specific key too: %test.rapport.embedded-db.durable=false in
            // application.properties would otherwise win over the plain one.
            return Map.of("rapport.embedded-db.durable", "true", "%test.rapport.embedded-db.durable", "true");
        }

        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }
    }

    /**
     * {@link Durable}, keeping no answers: the larger size asks the smaller one's windows again, of a
     * clinic whose data the growth left alone, and would time answers given again instead of the work.
     */
    public static class DurableComputed extends Durable {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
            overrides.put("rapport.trends.cache-memory", "0");
            return overrides;
        }
    }

    private static final List<Long> SIZES = Arrays.stream(
                    System.getProperty("bench.query.sizes", "1000000,10000000").split(","))
            .map(String::trim)
            .map(Long::parseLong)
            .toList();
    private static final int WARMUP = Integer.getInteger("bench.query.warmup", 2);
    private static final int RUNS = Integer.getInteger("bench.query.runs", 20);
    /**
     * Calls per endpoint and window on a filler clinic before anything is measured, once per run:
     * the JVM compiles the answers' code while a service runs, not in its first calls. Without
     * them the first endpoint measured at the first size paid for it (the 90-day summary at 1M:
     * p50 42.7 ms and p95 52.7 ms, the first measured calls the slowest, against 29.1 and 35.7 ms
     * at 10M in the same run). 0 measures a cold JVM.
     */
    private static final int JIT_WARMUP = Integer.getInteger("bench.query.jit-warmup", 10);
    /** Rows per COPY statement: big enough that per-statement costs vanish, small enough to keep memory flat. */
    private static final int CHUNK = Integer.getInteger("bench.query.chunk", 50_000);

    /** Thirteen months, so a 365-day window can move by a day per call and stay inside the data. */
    private static final LocalDate FIRST_DAY = LocalDate.of(2025, 10, 1);

    private static final int DAYS = 395;
    /** 90-day windows start here, in the middle of the data, and move forward a day per call. */
    private static final int SHORT_WINDOW_OFFSET = 150;

    private static final String BUSY = "bench-busy";
    private static final int BUSY_VISITS_PER_YEAR = 100_000;
    private static final int BUSY_PROVIDERS = 40;
    private static final int BUSY_PATIENTS = 17_000;
    private static final double BUSY_RATED = 0.6;
    /** VIDEO, PHONE, IN_PERSON, MESSAGING. */
    private static final double[] BUSY_MIX = {0.55, 0.25, 0.10, 0.10};

    private static final String[] MODALITIES = {"VIDEO", "PHONE", "IN_PERSON", "MESSAGING"};
    /** The test profile's active pseudonym key: stored pseudonyms read "k2026:<64 hex>". */
    private static final String KEY_ID = "k2026";

    private static final double TARGET_P95_90_DAYS_MS = 50;
    private static final double TARGET_P95_365_DAYS_MS = 150;
    private static final double TARGET_RATIO = 1.5;

    private static final String VISIT_COLUMNS =
            "clinic_id, visit_id, provider_id, patient_pseudonym, modality, scheduled_start, "
                    + "started_at, ended_at, face_to_face_seconds, documentation_seconds, "
                    + "after_hours_documentation_seconds, response_latency_seconds, patient_talk_share, "
                    + "connection_drops, recorded_at, received_at, revision";
    private static final String RATING_COLUMNS =
            "clinic_id, visit_id, instrument, items, complete, total, normalized, subscales, "
                    + "category, submitted_at, recorded_at, received_at, revision";

    @Inject
    AgroalDataSource dataSource;

    @Inject
    ObjectMapper mapper;

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private final MessageDigest sha256 = sha256();

    /** The busy clinic, once loaded: its per-day counts give the exact visits in any window. */
    private Clinic busy;

    private int fillerClinics;

    /** Per size: load figures, relation sizes, EXPLAIN; written out after each size. */
    private final List<Map<String, Object>> sizeReports = new ArrayList<>();

    /** "endpoint|window" -> size -> timings. */
    private final Map<String, Map<Long, Timing>> timings = new LinkedHashMap<>();

    private final List<String> failures = new ArrayList<>();

    // ---- the data ----

    /** One clinic's shape, and the state of its generator (each clinic draws from its own seed). */
    private static final class Clinic {
        final String id;
        final int providers;
        final int patients;
        final double rated;
        final double[] mixCdf;
        final int[] perDay;
        final Random random;
        int nextVisit;

        Clinic(String id, long seed, int total, int providers, int patients, double rated, double[] mix) {
            this.id = id;
            this.providers = providers;
            this.patients = patients;
            this.rated = rated;
            this.mixCdf = new double[mix.length];
            double sum = 0;
            for (int k = 0; k < mix.length; k++) {
                sum += mix[k];
                mixCdf[k] = sum;
            }
            this.perDay = perDay(total);
            this.random = new Random(seed);
        }

        long visitsBetween(int fromDay, int toDay) {
            long n = 0;
            for (int d = fromDay; d < toDay; d++) {
                n += perDay[d];
            }
            return n;
        }
    }

    /** Weekdays busy, weekends quiet, as clinics are; the total is spread exactly over the days. */
    private static int[] perDay(int total) {
        double[] weight = new double[DAYS];
        double sum = 0;
        for (int d = 0; d < DAYS; d++) {
            DayOfWeek day = FIRST_DAY.plusDays(d).getDayOfWeek();
            weight[d] = day == DayOfWeek.SATURDAY ? 0.45 : day == DayOfWeek.SUNDAY ? 0.25 : 1.2;
            sum += weight[d];
        }
        int[] out = new int[DAYS];
        double cumulative = 0;
        long given = 0;
        for (int d = 0; d < DAYS; d++) {
            cumulative += weight[d];
            long upTo = Math.round(total * cumulative / sum);
            out[d] = (int) (upTo - given);
            given = upTo;
        }
        return out;
    }

    private static Clinic busyClinic() {
        int total = (int) Math.round((double) BUSY_VISITS_PER_YEAR * DAYS / 365);
        return new Clinic(BUSY, 1, total, BUSY_PROVIDERS, BUSY_PATIENTS, BUSY_RATED, BUSY_MIX);
    }

    /** A filler clinic of 1,500-3,500 visits a month, its own mix and rating rate; at most {@code cap} visits. */
    private static Clinic fillerClinic(int n, long cap) {
        Random r = new Random(1000 + n);
        int monthly = 1500 + r.nextInt(2001);
        int total = (int) Math.min(cap, Math.round(monthly * 12.0 * DAYS / 365));
        double video = 0.45 + 0.15 * r.nextDouble();
        double phone = 0.18 + 0.10 * r.nextDouble();
        double inPerson = 0.05 + 0.08 * r.nextDouble();
        double[] mix = {video, phone, inPerson, 1 - video - phone - inPerson};
        return new Clinic(
                String.format(Locale.ROOT, "bench-filler-%04d", n),
                1000 + n,
                total,
                Math.max(4, Math.round(monthly / 125f)),
                monthly * 2,
                0.45 + 0.30 * r.nextDouble(),
                mix);
    }

    /** One generated visit (and maybe its rating) as COPY text lines, with the start to order by. */
    private record Row(long start, String visit, String rating) {}

    private Row visit(Clinic c, int day) {
        Random r = c.random;
        long dayStart = FIRST_DAY.plusDays(day).toEpochDay() * 86_400;
        double u = r.nextDouble();
        int m = 0;
        while (m < MODALITIES.length - 1 && u >= c.mixCdf[m]) {
            m++;
        }
        boolean messaging = m == 3;
        int patient = r.nextInt(c.patients);
        // Continuity of care: most visits with the patient's own provider, the rest with whoever is free.
        int provider = r.nextDouble() < 0.7 ? Math.floorMod(patient * 7919, c.providers) : r.nextInt(c.providers);
        // Live visits in opening hours, messages at any time; always within the day, so window counts are exact.
        long start = messaging ? dayStart + r.nextInt(86_400) : dayStart + 7 * 3600 + r.nextInt(12 * 3600);
        Long scheduled = null;
        long end;
        int faceToFace;
        int documentation;
        double latency;
        Double talk = null;
        Integer drops = null;
        if (messaging) {
            latency = 600 + r.nextInt(29_401);
            end = start + (long) latency + r.nextInt(3600);
            faceToFace = 0;
            documentation = 60 + r.nextInt(600);
        } else {
            // Most start a few minutes late, some early (the wait is then 0).
            long wait = r.nextDouble() < 0.12
                    ? -r.nextInt(300)
                    : Math.min(3600, (long) (-Math.log(1 - r.nextDouble()) * 240));
            scheduled = start - wait;
            int duration = 900 + r.nextInt(2700);
            end = start + duration;
            faceToFace = (int) (duration * (0.75 + 0.25 * r.nextDouble()));
            documentation = 120 + r.nextInt(2281);
            latency = (5 + r.nextInt(76)) / 10.0;
            talk = (25 + r.nextInt(46)) / 100.0;
            double d = r.nextDouble();
            drops = switch (m) {
                case 0 -> d < 0.7 ? 0 : d < 0.9 ? 1 : d < 0.97 ? 2 : 3;
                case 1 -> d < 0.9 ? 0 : 1;
                default -> 0;
            };
        }
        double a = r.nextDouble();
        Integer afterHours = a < 0.3 ? null : a < 0.8 ? 0 : 60 + r.nextInt(1800);
        long recorded = end + 30 + r.nextInt(270);
        long received = recorded + 1 + r.nextInt(60);
        String visitId = "v-" + c.nextVisit++;
        String visitLine = String.join(
                        "\t",
                        c.id,
                        visitId,
                        "prov-" + provider,
                        pseudonym(c.id, patient),
                        MODALITIES[m],
                        scheduled == null ? "\\N" : time(scheduled),
                        time(start),
                        time(end),
                        Integer.toString(faceToFace),
                        Integer.toString(documentation),
                        afterHours == null ? "\\N" : afterHours.toString(),
                        Double.toString(latency),
                        talk == null ? "\\N" : talk.toString(),
                        drops == null ? "\\N" : drops.toString(),
                        time(recorded),
                        time(received),
                        "1")
                + "\n";
        String ratingLine = null;
        if (r.nextDouble() < c.rated) {
            // SRS: four items 0-10 in tenths, clustered high as real SRS answers are (a mean total
            // near 35, about a third under the cutoff of 36), a little higher when more of the
            // visit was face to face, so the drivers have something to find.
            double share = messaging ? 0.6 : (double) faceToFace / (faceToFace + documentation);
            double base = 90 + 8 * r.nextGaussian() + 30 * (share - 0.6);
            StringBuilder items = new StringBuilder("{");
            int totalTenths = 0;
            for (int k = 0; k < 4; k++) {
                int tenths = (int) Math.max(0, Math.min(100, Math.round(base + 6 * r.nextGaussian())));
                totalTenths += tenths;
                items.append(k == 0 ? "" : ",").append(tenths(tenths));
            }
            items.append('}');
            long submitted = end + 60 + r.nextInt(3540);
            ratingLine = String.join(
                            "\t",
                            c.id,
                            visitId,
                            "SRS",
                            items,
                            "t",
                            tenths(totalTenths),
                            Double.toString(totalTenths / 400.0),
                            "{}",
                            "\\N",
                            time(submitted),
                            time(submitted),
                            time(submitted + 1 + r.nextInt(60)),
                            "1")
                    + "\n";
        }
        return new Row(start, visitLine, ratingLine);
    }

    private static String tenths(int tenths) {
        return tenths / 10 + "." + tenths % 10;
    }

    private static String time(long epochSecond) {
        return Instant.ofEpochSecond(epochSecond).toString();
    }

    /** Opaque here: a seeded hash of the patient number, shaped as the active key's pseudonyms are. */
    private String pseudonym(String clinic, int patient) {
        byte[] hash = sha256.digest(("rapport-bench:" + clinic + ":" + patient).getBytes(StandardCharsets.UTF_8));
        return KEY_ID + ":" + HexFormat.of().formatHex(hash);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- the load ----

    private record Load(long visits, long ratings, double seconds, double visitCopySeconds, double ratingCopySeconds) {}

    /** The clinics that bring {@code visit} from {@code existing} rows to {@code target}. */
    private List<Clinic> plan(long existing, long target) {
        List<Clinic> clinics = new ArrayList<>();
        long remaining = target - existing;
        if (busy == null) {
            busy = busyClinic();
            clinics.add(busy);
            remaining -= busy.visitsBetween(0, DAYS);
            if (remaining < 0) {
                throw new IllegalArgumentException("bench.query.sizes: the busy clinic alone has "
                        + busy.visitsBetween(0, DAYS) + " visits, more than " + target);
            }
        }
        while (remaining > 0) {
            Clinic filler = fillerClinic(++fillerClinics, remaining);
            clinics.add(filler);
            remaining -= filler.visitsBetween(0, DAYS);
        }
        return clinics;
    }

    /**
     * Day by day, every clinic's visits of that day in time order, COPYed {@link #CHUNK} at a time;
     * ratings follow in their own COPYs once their visits are in, as they arrive after the visit.
     */
    private Load load(List<Clinic> clinics) throws Exception {
        try (Connection c = dataSource.getConnection();
                Statement st = c.createStatement()) {
            // A COPY of 50,000 rows with its trigger may take longer than the bounds the service
            // sets for its own statements; this connection is the load's alone.
            c.setNetworkTimeout(Runnable::run, 0);
            st.execute("SET statement_timeout = 0");
            Loader loader = new Loader(c.unwrap(PGConnection.class).getCopyAPI());
            for (int day = 0; day < DAYS; day++) {
                List<Row> today = new ArrayList<>();
                for (Clinic clinic : clinics) {
                    for (int k = 0; k < clinic.perDay[day]; k++) {
                        today.add(visit(clinic, day));
                    }
                }
                today.sort(Comparator.comparingLong(Row::start));
                for (Row row : today) {
                    loader.add(row);
                }
            }
            loader.finish();
            st.execute("RESET statement_timeout");
            return new Load(
                    loader.visits,
                    loader.ratings,
                    (System.nanoTime() - loader.started) / 1e9,
                    loader.visitCopy,
                    loader.ratingCopy);
        }
    }

    /** Buffers rows into COPY statements: visits first, their ratings once the visits are committed. */
    private static final class Loader {
        final long started = System.nanoTime();
        final CopyManager copy;
        final StringBuilder visitText = new StringBuilder();
        int visitRows;
        final List<String> ratingsOfChunk = new ArrayList<>();
        final ArrayDeque<String> readyRatings = new ArrayDeque<>();
        long visits;
        long ratings;
        double visitCopy;
        double ratingCopy;
        long nextProgress = 1_000_000;

        Loader(CopyManager copy) {
            this.copy = copy;
        }

        void add(Row row) throws SQLException, IOException {
            visitText.append(row.visit());
            visitRows++;
            if (row.rating() != null) {
                ratingsOfChunk.add(row.rating());
            }
            if (visitRows == CHUNK) {
                flush(false);
            }
        }

        void finish() throws SQLException, IOException {
            flush(true);
        }

        private void flush(boolean all) throws SQLException, IOException {
            if (visitRows > 0) {
                long t0 = System.nanoTime();
                visits += copy.copyIn(
                        "COPY visit (" + VISIT_COLUMNS + ") FROM STDIN", new StringReader(visitText.toString()));
                visitCopy += (System.nanoTime() - t0) / 1e9;
                visitText.setLength(0);
                visitRows = 0;
                readyRatings.addAll(ratingsOfChunk);
                ratingsOfChunk.clear();
            }
            while (readyRatings.size() >= CHUNK || (all && !readyRatings.isEmpty())) {
                StringBuilder text = new StringBuilder();
                for (int n = 0; n < CHUNK && !readyRatings.isEmpty(); n++) {
                    text.append(readyRatings.poll());
                }
                long t0 = System.nanoTime();
                ratings += copy.copyIn(
                        "COPY rating (" + RATING_COLUMNS + ") FROM STDIN", new StringReader(text.toString()));
                ratingCopy += (System.nanoTime() - t0) / 1e9;
            }
            if (visits >= nextProgress) {
                System.out.printf(
                        Locale.ROOT,
                        "BENCH loading: %,d visits and %,d ratings in %.0f s (COPY visit %.0f s, COPY rating %.0f s)%n",
                        visits,
                        ratings,
                        (System.nanoTime() - started) / 1e9,
                        visitCopy,
                        ratingCopy);
                nextProgress += 1_000_000;
            }
        }
    }

    private long count(String sql) throws SQLException {
        try (Connection c = dataSource.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** What autovacuum would reach on its own: dead tuples gone, visibility map set, statistics fresh. */
    private double vacuumAnalyze() throws SQLException {
        try (Connection c = dataSource.getConnection();
                Statement st = c.createStatement()) {
            c.setNetworkTimeout(Runnable::run, 0);
            st.execute("SET statement_timeout = 0");
            long t0 = System.nanoTime();
            st.execute("VACUUM ANALYZE");
            double seconds = (System.nanoTime() - t0) / 1e9;
            st.execute("RESET statement_timeout");
            return seconds;
        }
    }

    /**
     * The tables and each of their indexes: the sizes the project quotes ({@code visit_fact} is a
     * view since V15, with no size of its own).
     */
    private List<Map<String, Object>> relationSizes() throws SQLException {
        String sql = """
                SELECT c.relname, c.relkind, i.indrelid::regclass::text AS of_table,
                       pg_total_relation_size(c.oid) AS total_bytes, pg_relation_size(c.oid) AS main_bytes,
                       c.reltuples::bigint AS tuples, c.relpages, c.relallvisible
                FROM pg_class c LEFT JOIN pg_index i ON i.indexrelid = c.oid
                WHERE c.relname IN ('visit', 'rating', 'rating_fact')
                   OR i.indrelid IN ('visit'::regclass, 'rating'::regclass, 'rating_fact'::regclass)
                ORDER BY coalesce(i.indrelid::regclass::text, c.relname), c.relkind DESC, c.relname
                """;
        List<Map<String, Object>> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                Map<String, Object> m = new LinkedHashMap<>();
                boolean table = "r".equals(rs.getString("relkind"));
                m.put("relation", rs.getString("relname"));
                m.put("kind", table ? "table" : "index on " + rs.getString("of_table"));
                m.put("relationBytes", rs.getLong("main_bytes"));
                if (table) {
                    // The heap alone, and with its indexes and TOAST.
                    m.put("totalBytes", rs.getLong("total_bytes"));
                    m.put("rowsEstimate", rs.getLong("tuples"));
                    int pages = rs.getInt("relpages");
                    m.put("allVisibleShare", pages == 0 ? null : (double) rs.getInt("relallvisible") / pages);
                }
                out.add(m);
            }
        }
        return out;
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%,.1f MB", bytes / 1048576.0);
    }

    // ---- the queries ----

    private record Window(String name, int days, int firstDay) {}

    private static final List<Window> WINDOWS =
            List.of(new Window("90 days", 90, SHORT_WINDOW_OFFSET), new Window("365 days", 365, 0));

    /** An endpoint, its extra query parameters, and what a plausible answer must show. */
    private record Endpoint(String name, String path, String query, BiFunction<JsonNode, Long, String> check) {}

    private static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint("summary", "summary", "", (body, expected) -> {
                if (body.path("visits").asLong() != expected) {
                    return "visits " + body.path("visits") + ", expected " + expected;
                }
                return body.path("ratings").path("SRS").path("responses").asLong() > 0 ? null : "no SRS responses";
            }),
            // One provider's summary: continuity of care then reads the window twice, once for the
            // provider's patients and once for all their visits.
            new Endpoint("summary, one provider", "summary", "&providerId=prov-0", (body, expected) -> {
                long visits = body.path("visits").asLong();
                if (visits <= 0 || visits >= expected) {
                    return "visits " + visits + " of the clinic's " + expected;
                }
                return body.path("continuity").path("patients").asLong() > 0 ? null : "no continuity patients";
            }),
            new Endpoint(
                    "trends faceToFaceShare (week, mean)",
                    "trends",
                    "&metric=faceToFaceShare",
                    (body, expected) -> series(body, expected, 1)),
            new Endpoint(
                    "trends waitSeconds p90 by provider",
                    "trends",
                    "&metric=waitSeconds&stat=p90&groupBy=provider",
                    (body, expected) -> series(body, expected, BUSY_PROVIDERS)),
            new Endpoint("providers", "providers", "", (body, expected) -> {
                if (body.path("clinic").path("visits").asLong() != expected) {
                    return "clinic visits " + body.path("clinic").path("visits") + ", expected " + expected;
                }
                return body.path("providers").size() == BUSY_PROVIDERS
                        ? null
                        : body.path("providers").size() + " providers";
            }),
            new Endpoint("drivers SRS", "drivers", "&instrument=SRS", (body, expected) -> {
                long rated = body.path("ratedVisits").asLong();
                if (rated <= 0 || rated > expected) {
                    return "ratedVisits " + rated + " of " + expected + " visits";
                }
                for (JsonNode d : body.path("drivers")) {
                    if (!d.path("correlation").isNull()
                            && !d.path("correlation").isMissingNode()) {
                        return null;
                    }
                }
                return "no driver has a correlation";
            }));

    /** The expected number of series, each with points, some with values, no more visits than the window's. */
    private static String series(JsonNode body, long expected, int groups) {
        JsonNode series = body.path("series");
        if (series.size() != groups) {
            return series.size() + " series, expected " + groups;
        }
        long visits = 0;
        long values = 0;
        for (JsonNode s : series) {
            for (JsonNode p : s.path("points")) {
                visits += p.path("visits").asLong();
                values += p.path("value").isNumber() ? 1 : 0;
            }
        }
        return visits > 0 && visits <= expected && values > 0
                ? null
                : visits + " visits and " + values + " values in the points, window has " + expected;
    }

    private record Timing(List<Double> millis, String failure) {
        double percentile(double p) {
            // Nearest rank: with 20 calls, p95 is the 19th fastest, p50 the 10th.
            List<Double> sorted = millis.stream().sorted().toList();
            return sorted.get(Math.max(0, (int) Math.ceil(p / 100 * sorted.size()) - 1));
        }
    }

    private String url(String path) {
        return "http://localhost:" + RestAssured.port + path;
    }

    /**
     * Every endpoint and window {@link #JIT_WARMUP} times on the first filler clinic, not the busy
     * one, so none of the busy clinic's pages is read before its own calls; each call must answer
     * 200.
     */
    private void warmUpJvm() throws Exception {
        if (JIT_WARMUP <= 0) {
            return;
        }
        String clinic = String.format(Locale.ROOT, "bench-filler-%04d", 1);
        String token = Tokens.token("bench-query-warmup", List.of(Roles.ANALYST), List.of(clinic));
        long t0 = System.nanoTime();
        for (Endpoint e : ENDPOINTS) {
            for (Window w : WINDOWS) {
                for (int call = 0; call < JIT_WARMUP; call++) {
                    LocalDate from = FIRST_DAY.plusDays(w.firstDay() + call);
                    String path = "/api/v1/clinics/" + clinic + "/" + e.path() + "?from=" + from + "&to="
                            + from.plusDays(w.days()) + e.query();
                    HttpResponse<String> r = http.send(
                            HttpRequest.newBuilder(URI.create(url(path)))
                                    .header("Authorization", Tokens.bearer(token))
                                    .header("Accept", "application/json")
                                    .timeout(Duration.ofSeconds(60))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException("JVM warm-up: " + path + " answered " + r.statusCode());
                    }
                }
            }
        }
        System.out.printf(
                Locale.ROOT,
                "BENCH JVM warm-up: %d calls per endpoint and window on %s, not measured, %.1f s%n",
                JIT_WARMUP,
                clinic,
                (System.nanoTime() - t0) / 1e9);
    }

    /** Calls one endpoint over one window WARMUP + RUNS times, moving the window a day each call. */
    private Timing measure(Endpoint e, Window w, String token) throws Exception {
        List<Double> millis = new ArrayList<>();
        int distinct = DAYS - w.firstDay() - w.days() + 1;
        for (int call = 0; call < WARMUP + RUNS; call++) {
            int fromDay = w.firstDay() + call % distinct;
            LocalDate from = FIRST_DAY.plusDays(fromDay);
            LocalDate to = from.plusDays(w.days());
            String path = "/api/v1/clinics/" + BUSY + "/" + e.path() + "?from=" + from + "&to=" + to + e.query();
            HttpRequest request = HttpRequest.newBuilder(URI.create(url(path)))
                    .header("Authorization", Tokens.bearer(token))
                    .header("Accept", "application/json")
                    .timeout(Duration.ofSeconds(60))
                    .GET()
                    .build();
            long t0 = System.nanoTime();
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            double ms = (System.nanoTime() - t0) / 1e6;
            String problem = r.statusCode() != 200
                    ? "answered " + r.statusCode()
                    : e.check().apply(mapper.readTree(r.body()), busy.visitsBetween(fromDay, fromDay + w.days()));
            if (problem != null) {
                String body = r.body().substring(0, Math.min(300, r.body().length()));
                // The calls before it stay in the figures; the ones after are not made.
                return new Timing(
                        millis,
                        "call " + (call + 1) + " of " + (WARMUP + RUNS) + ", " + path + ": " + problem + ": " + body);
            }
            if (call >= WARMUP) {
                millis.add(ms);
            }
        }
        return new Timing(millis, null);
    }

    /**
     * The summary's main window scan, as the planner runs it for these values (a custom plan):
     * index-only or not, heap fetches, buffers. Then the same scan in the service's own shape (the
     * optional modality and provider filters as parameters) with the generic plan: pgjdbc
     * prepares a statement on the server from its fifth use, and PostgreSQL may then switch to a
     * plan made without the values, which is what the service's repeated queries can end up with.
     * Last, the summary's two statements over the same window.
     */
    private String explain() throws SQLException {
        LocalDate from = FIRST_DAY.plusDays(WARMUP);
        LocalDate to = from.plusDays(365);
        OffsetDateTime start = OffsetDateTime.of(from.atStartOfDay(), ZoneOffset.UTC);
        OffsetDateTime end = OffsetDateTime.of(to.atStartOfDay(), ZoneOffset.UTC);
        StringBuilder plan = new StringBuilder("-- 365 days, " + from + " to " + to + ", custom plan\n");
        try (Connection c = dataSource.getConnection()) {
            explainWindow(c, "SELECT count(*), avg(face_to_face_share)", "", start, end, plan);
            plan.append(
                    "-- the same window in the service's shape, generic plan (plan_cache_mode = force_generic_plan)\n");
            try (Statement st = c.createStatement()) {
                st.execute("PREPARE bench_window(varchar, timestamptz, timestamptz, text, text, text, text) AS"
                        + " SELECT count(*), avg(face_to_face_share) FROM visit_fact"
                        + " WHERE clinic_id = $1 AND started_at >= $2 AND started_at < $3"
                        + " AND (CAST($4 AS text) IS NULL OR modality = $5)"
                        + " AND (CAST($6 AS text) IS NULL OR provider_id = $7)");
                st.execute("SET plan_cache_mode = force_generic_plan");
                // Literals: our own constants, and EXECUTE's arguments are not bound parameters.
                try (PreparedStatement ps = c.prepareStatement("EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_window('"
                        + BUSY + "', '" + start + "', '" + end + "', NULL, NULL, NULL, NULL)")) {
                    append(ps, plan);
                } finally {
                    st.execute("RESET plan_cache_mode");
                    st.execute("DEALLOCATE bench_window");
                }
            }
            // The summary's two statements over the window (TrendSql.windowFigures, shortened to
            // one metric, and TrendSql.continuity): each sends its columns as one bytea per column,
            // in scan order, and runs without parallel workers, as the service runs them.
            try (Statement st = c.createStatement()) {
                st.execute("SET max_parallel_workers_per_gather = 0");
                plan.append("-- the summary's percentile values, one metric of its ten\n");
                explainWindow(
                        c, "SELECT count(*), string_agg(float8send(wait_seconds), ''::bytea)", "", start, end, plan);
                plan.append("-- the summary's continuity of care: the window's ids as words, in scan order\n");
                explainWindow(
                        c,
                        "SELECT string_agg(textsend(patient_pseudonym), '\\x00'::bytea),"
                                + " string_agg(textsend(provider_id), '\\x00'::bytea),"
                                + " string_agg(timestamptz_send(started_at), ''::bytea),"
                                + " string_agg(textsend(visit_id), '\\x00'::bytea)",
                        "",
                        start,
                        end,
                        plan);
            } finally {
                try (Statement st = c.createStatement()) {
                    st.execute("RESET max_parallel_workers_per_gather");
                }
            }
        }
        return plan.toString();
    }

    /** EXPLAIN (ANALYZE, BUFFERS) of {@code select} over the busy clinic's [start, end), then {@code rest}. */
    private static void explainWindow(
            Connection c, String select, String rest, OffsetDateTime start, OffsetDateTime end, StringBuilder plan)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("EXPLAIN (ANALYZE, BUFFERS) " + select + " FROM visit_fact"
                + " WHERE clinic_id = ? AND started_at >= ? AND started_at < ?" + rest)) {
            ps.setString(1, BUSY);
            ps.setObject(2, start);
            ps.setObject(3, end);
            append(ps, plan);
        }
    }

    private static void append(PreparedStatement ps, StringBuilder plan) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                plan.append(rs.getString(1)).append('\n');
            }
        }
    }

    // ---- the run ----

    /** The server the figures come from, and whether it flushes. */
    private final Map<String, Object> server = new LinkedHashMap<>();

    @Test
    void printFigures() throws Exception {
        try (Connection c = dataSource.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT version(), current_setting('shared_buffers'),"
                        + " current_setting('fsync'), current_setting('synchronous_commit')")) {
            rs.next();
            server.put("version", rs.getString(1));
            server.put("shared_buffers", rs.getString(2));
            server.put("fsync", rs.getString(3));
            server.put("synchronous_commit", rs.getString(4));
        }
        System.out.println("BENCH query benchmark, sizes " + SIZES + ", JVM warm-up " + JIT_WARMUP + ", " + WARMUP
                + " warm-up and " + RUNS + " measured calls per endpoint and window; " + server);
        if (count("SELECT count(*) FROM visit WHERE clinic_id = '" + BUSY + "'") > 0) {
            throw new IllegalStateException(BUSY + " has visits already: run against a fresh database");
        }
        for (long size : SIZES) {
            long existing = count("SELECT count(*) FROM visit");
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("visits", size);
            report.put("visitsBefore", existing);
            List<Clinic> clinics = plan(existing, size);
            Load load = load(clinics);
            double vacuum = vacuumAnalyze();
            long visits = count("SELECT count(*) FROM visit");
            long facts = count("SELECT count(*) FROM visit_fact");
            long ratings = count("SELECT count(*) FROM rating");
            if (visits != size || facts != visits) {
                throw new IllegalStateException(
                        "after the load visit has " + visits + " rows and visit_fact " + facts + ", expected " + size);
            }
            report.put("clinicsAdded", clinics.size());
            report.put("fillerClinics", fillerClinics);
            report.put("visitsLoaded", load.visits());
            report.put("ratingsLoaded", load.ratings());
            report.put("ratingRows", ratings);
            report.put("loadSeconds", round1(load.seconds()));
            report.put("visitCopySeconds", round1(load.visitCopySeconds()));
            report.put("ratingCopySeconds", round1(load.ratingCopySeconds()));
            report.put("vacuumAnalyzeSeconds", round1(vacuum));
            System.out.printf(
                    Locale.ROOT,
                    "BENCH load to %,d visits: %,d visits and %,d ratings from %d clinics in %.1f s"
                            + " (COPY visit %.1f s, COPY rating %.1f s, generating the rest), VACUUM ANALYZE %.1f s%n",
                    size,
                    load.visits(),
                    load.ratings(),
                    clinics.size(),
                    load.seconds(),
                    load.visitCopySeconds(),
                    load.ratingCopySeconds(),
                    vacuum);
            List<Map<String, Object>> relations = relationSizes();
            report.put("relations", relations);
            for (Map<String, Object> rel : relations) {
                System.out.println("BENCH size at " + label(size) + ": " + rel.get("relation") + " (" + rel.get("kind")
                        + ") " + mb((Long) rel.get("relationBytes"))
                        + (rel.containsKey("totalBytes")
                                ? ", with indexes " + mb((Long) rel.get("totalBytes")) + ", all-visible "
                                        + (rel.get("allVisibleShare") instanceof Double share
                                                ? String.format(Locale.ROOT, "%.0f%%", 100 * share)
                                                : "-")
                                : ""));
            }

            report.put("loadAverageBeforeQueries", loadAverage());
            report.put("paceBeforeQueries", pace(size, "before"));
            if (size == SIZES.get(0)) {
                warmUpJvm();
            }
            // A new token per size: a 10M load can outlast the one before.
            String token = Tokens.token("bench-query-analyst", List.of(Roles.ANALYST), List.of(BUSY));
            for (Endpoint e : ENDPOINTS) {
                for (Window w : WINDOWS) {
                    Timing t = measure(e, w, token);
                    timings.computeIfAbsent(e.name() + "|" + w.name(), k -> new LinkedHashMap<>())
                            .put(size, t);
                    if (t.failure() != null) {
                        failures.add(label(size) + " " + e.name() + " " + w.name() + ": " + t.failure());
                        System.out.println("BENCH " + e.name() + ", " + w.name() + ", " + label(size) + ": FAILED "
                                + t.failure()
                                + (t.millis().isEmpty()
                                        ? ""
                                        : "; measured calls before it (ms): "
                                                + t.millis().stream()
                                                        .map(QueryBenchmark::round1)
                                                        .toList()));
                    } else {
                        System.out.printf(
                                Locale.ROOT,
                                "BENCH %s, %s, %s: p50 %.1f ms, p95 %.1f ms, max %.1f ms%n",
                                e.name(),
                                w.name(),
                                label(size),
                                t.percentile(50),
                                t.percentile(95),
                                t.percentile(100));
                    }
                }
            }
            report.put("loadAverageAfterQueries", loadAverage());
            report.put("paceAfterQueries", pace(size, "after"));
            String plan;
            try {
                plan = explain();
            } catch (SQLException e) {
                // A plan that cannot be shown must not cost the figures measured above.
                plan = "EXPLAIN failed: " + e.getMessage();
            }
            report.put("explain365Days", plan);
            System.out.println(
                    "BENCH EXPLAIN (ANALYZE, BUFFERS) of the summary's window scan at " + label(size) + ":\n" + plan);
            sizeReports.add(report);
            // Written after every size, so a later size that fails or is stopped does not lose this one.
            write(print());
        }
        if (!failures.isEmpty()) {
            throw new AssertionError(
                    "Endpoints answered wrongly, so their times mean nothing:\n" + String.join("\n", failures));
        }
    }

    private static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private static String label(long size) {
        if (size % 1_000_000 == 0) {
            return size / 1_000_000 + "M";
        }
        return size % 1000 == 0 ? size / 1000 + "k" : Long.toString(size);
    }

    /** The machine's pace ({@link MachinePace}), printed and kept in the report. */
    private Map<String, Object> pace(long size, String when) throws SQLException {
        MachinePace pace = MachinePace.measure(dataSource);
        System.out.println("BENCH machine pace at " + label(size) + ", " + when + " the calls: " + pace.words());
        return pace.json();
    }

    /** 1, 5 and 15 minute load averages: the machine is shared, and this says how busy it was. */
    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return String.format(
                    Locale.ROOT,
                    "%.2f",
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    /** The table so far, printed; returns its rows for the JSON. */
    private List<Map<String, Object>> print() {
        List<Long> sizes = sizeReports.stream().map(r -> (Long) r.get("visits")).toList();
        long first = sizes.get(0);
        long last = sizes.get(sizes.size() - 1);
        String ratioName = label(last) + "÷" + label(first);
        List<String> head = new ArrayList<>(List.of("endpoint", "window"));
        for (long s : sizes) {
            head.add("p50 " + label(s));
            head.add("p95 " + label(s));
        }
        if (sizes.size() > 1) {
            head.add("p50 " + ratioName);
            head.add("p95 " + ratioName);
        }
        head.add("target");
        head.add("verdict");
        List<List<String>> cells = new ArrayList<>();
        List<Map<String, Object>> json = new ArrayList<>();
        for (Endpoint e : ENDPOINTS) {
            for (Window w : WINDOWS) {
                Map<Long, Timing> bySize = timings.get(e.name() + "|" + w.name());
                double target = w.days() == 90 ? TARGET_P95_90_DAYS_MS : TARGET_P95_365_DAYS_MS;
                List<String> row = new ArrayList<>(List.of(e.name(), w.name()));
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("endpoint", e.name());
                m.put("window", w.name());
                Map<String, Object> jsonSizes = new LinkedHashMap<>();
                List<String> missed = new ArrayList<>();
                for (long s : sizes) {
                    Timing t = bySize.get(s);
                    Map<String, Object> js = new LinkedHashMap<>();
                    if (t.failure() != null) {
                        row.add("FAILED");
                        row.add("FAILED");
                        js.put("failure", t.failure());
                        // The calls that answered before it: what the endpoint costs while it works.
                        js.put(
                                "samplesBeforeFailureMs",
                                t.millis().stream().map(QueryBenchmark::round1).toList());
                        missed.add("failed at " + label(s));
                    } else {
                        row.add(ms(t.percentile(50)));
                        row.add(ms(t.percentile(95)));
                        js.put("p50Ms", round1(t.percentile(50)));
                        js.put("p95Ms", round1(t.percentile(95)));
                        js.put("maxMs", round1(t.percentile(100)));
                        js.put(
                                "samplesMs",
                                t.millis().stream().map(QueryBenchmark::round1).toList());
                        if (t.percentile(95) > target) {
                            missed.add("p95 at " + label(s) + " > " + ms(target));
                        }
                    }
                    jsonSizes.put(Long.toString(s), js);
                }
                m.put("bySize", jsonSizes);
                if (sizes.size() > 1) {
                    Timing a = bySize.get(first);
                    Timing b = bySize.get(last);
                    if (a.failure() == null && b.failure() == null) {
                        double r50 = b.percentile(50) / a.percentile(50);
                        double r95 = b.percentile(95) / a.percentile(95);
                        row.add(String.format(Locale.ROOT, "%.2f", r50));
                        row.add(String.format(Locale.ROOT, "%.2f", r95));
                        m.put("ratioP50", Math.round(r50 * 100) / 100.0);
                        m.put("ratioP95", Math.round(r95 * 100) / 100.0);
                        if (r95 > TARGET_RATIO) {
                            missed.add("p95 ratio > " + TARGET_RATIO);
                        }
                    } else {
                        row.add("-");
                        row.add("-");
                    }
                }
                String targetText = "p95 ≤ " + ms(target) + (sizes.size() > 1 ? ", ratio ≤ " + TARGET_RATIO : "");
                row.add(targetText);
                String verdict = missed.isEmpty() ? "meets" : "misses: " + String.join("; ", missed);
                row.add(verdict);
                m.put("targetP95Ms", target);
                m.put("targetRatio", TARGET_RATIO);
                m.put("verdict", verdict);
                cells.add(row);
                json.add(m);
            }
        }
        int[] width = new int[head.size()];
        List<List<String>> all = new ArrayList<>();
        all.add(head);
        all.addAll(cells);
        for (List<String> r : all) {
            for (int k = 0; k < r.size(); k++) {
                width[k] = Math.max(width[k], r.get(k).length());
            }
        }
        StringBuilder out = new StringBuilder("\nBENCH manager queries, busy clinic ("
                + BUSY_VISITS_PER_YEAR + " visits a year), "
                + Runtime.getRuntime().availableProcessors()
                + " cores, load average " + loadAverage() + ", embedded PostgreSQL fsync=" + server.get("fsync")
                + ", synchronous_commit=" + server.get("synchronous_commit") + ", shared_buffers="
                + server.get("shared_buffers") + "; " + RUNS
                + " calls each after " + WARMUP + " warm-up, window moved a day per call\n");
        for (List<String> r : all) {
            out.append("| ");
            for (int k = 0; k < r.size(); k++) {
                out.append(String.format("%-" + width[k] + "s | ", r.get(k)));
            }
            out.append('\n');
        }
        System.out.println(out);
        return json;
    }

    private static String ms(double millis) {
        return String.format(Locale.ROOT, "%.1f ms", millis);
    }

    private void write(List<Map<String, Object>> rows) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("measuredAt", Instant.now().toString());
        doc.put("loadAverage", loadAverage());
        doc.put("cores", Runtime.getRuntime().availableProcessors());
        doc.put("server", server);
        doc.put("warmupCalls", WARMUP);
        doc.put("jvmWarmupCalls", JIT_WARMUP);
        doc.put("measuredCalls", RUNS);
        doc.put(
                "busyClinic",
                Map.of(
                        "visitsPerYear",
                        BUSY_VISITS_PER_YEAR,
                        "providers",
                        BUSY_PROVIDERS,
                        "patients",
                        BUSY_PATIENTS,
                        "ratedShare",
                        BUSY_RATED));
        doc.put("dataDays", DAYS);
        doc.put("firstDay", FIRST_DAY.toString());
        doc.put("sizes", sizeReports);
        doc.put("rows", rows);
        Path file = Path.of("target", "bench", "query-benchmark.json");
        Files.createDirectories(file.getParent());
        Files.writeString(
                file, mapper.writerWithDefaultPrettyPrinter().writeValueAsString(doc), StandardCharsets.UTF_8);
        System.out.println("BENCH written to " + file.toAbsolutePath());
    }
}

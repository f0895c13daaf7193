package io.rapport.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.rapport.config.RapportConfig;
import io.rapport.ingest.BatchResponse;
import io.rapport.ingest.IngestPipeline;
import io.rapport.rating.RatingEvent;
import io.rapport.rating.RatingKind;
import io.rapport.security.ClinicScope;
import io.rapport.visit.VisitEvent;
import io.rapport.visit.VisitKind;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.jboss.logging.Logger;

/**
 * Seeds clinic {@code demo-clinic} with twelve weeks of synthetic visits and ratings, through the
 * same ingest pipeline platforms use, so a newcomer sees real trends at once. Runs only in dev
 * mode, only with rapport.demo.enabled=true, and only into a database without visits.
 *
 * <p>The data has a built-in story: providers who spend more of their time documenting get lower
 * ratings, so the drivers endpoint shows what it is for.
 */
@ApplicationScoped
class DemoSeeder {

    static final String CLINIC = "demo-clinic";
    private static final Logger LOG = Logger.getLogger(DemoSeeder.class);
    private static final String[] PROVIDERS = {
        "dr-okafor", "dr-haddad", "np-lindqvist", "dr-moreau", "pa-tanaka", "dr-iyer"
    };
    /** How much each provider's documentation eats into the visit: the story the data tells. */
    private static final double[] DOCUMENTATION_LOAD = {0.25, 0.45, 0.35, 0.7, 0.55, 0.3};

    private static final String[] MODALITIES = {"VIDEO", "VIDEO", "VIDEO", "PHONE", "IN_PERSON", "MESSAGING"};
    private static final int PATIENTS = 300;
    private static final int WEEKS = 12;

    private final RapportConfig config;
    private final AgroalDataSource dataSource;
    private final IngestPipeline pipeline;
    private final VisitKind visits;
    private final RatingKind ratings;
    private final ObjectMapper mapper;

    DemoSeeder(
            RapportConfig config,
            AgroalDataSource dataSource,
            IngestPipeline pipeline,
            VisitKind visits,
            RatingKind ratings,
            ObjectMapper mapper) {
        this.config = config;
        this.dataSource = dataSource;
        this.pipeline = pipeline;
        this.visits = visits;
        this.ratings = ratings;
        this.mapper = mapper;
    }

    // The pipeline asks the request's clinic scope; at startup there is no request, so open one.
    @ActivateRequestContext
    void onStart(@Observes StartupEvent event) {
        if (!config.demo().enabled()) {
            return;
        }
        if (LaunchMode.current() != LaunchMode.DEVELOPMENT) {
            LOG.warn("rapport.demo.enabled is ignored outside dev mode: demo data never goes near real patients.");
            return;
        }
        if (hasVisits()) {
            LOG.info("Demo data not seeded: the database already holds visits.");
            return;
        }
        seed(new Random(42), LocalDate.now(ZoneOffset.UTC));
    }

    private boolean hasVisits() {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM visit)");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getBoolean(1);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not check for existing visits", e);
        }
    }

    void seed(Random random, LocalDate today) {
        List<VisitEvent> visitBatch = new ArrayList<>();
        List<RatingEvent> ratingBatch = new ArrayList<>();
        int[] usualProvider = new int[PATIENTS];
        for (int p = 0; p < PATIENTS; p++) {
            usualProvider[p] = random.nextInt(PROVIDERS.length);
        }
        LocalDate firstMonday = today.minusWeeks(WEEKS).with(DayOfWeek.MONDAY);
        int n = 0;
        for (LocalDate day = firstMonday; day.isBefore(today); day = day.plusDays(1)) {
            if (day.getDayOfWeek() == DayOfWeek.SUNDAY) {
                continue;
            }
            int perDay = day.getDayOfWeek() == DayOfWeek.SATURDAY ? 6 : 22;
            for (int k = 0; k < perDay; k++) {
                int patient = random.nextInt(PATIENTS);
                // Most patients see their usual clinician; some are bounced to whoever is free.
                int provider = random.nextDouble() < 0.75 ? usualProvider[patient] : random.nextInt(PROVIDERS.length);
                String modality = MODALITIES[random.nextInt(MODALITIES.length)];
                Instant scheduled = day.atTime(8 + random.nextInt(9), random.nextBoolean() ? 0 : 30)
                        .toInstant(ZoneOffset.UTC);
                long wait = (long) Math.max(0, random.nextGaussian() * 240 + 180);
                Instant started = scheduled.plusSeconds(wait);
                boolean messaging = modality.equals("MESSAGING");
                int duration = messaging ? 6 * 3600 : 900 + random.nextInt(1800);
                double load =
                        Math.min(0.9, Math.max(0.05, DOCUMENTATION_LOAD[provider] + random.nextGaussian() * 0.08));
                int faceToFace = messaging ? 0 : (int) (duration * (1 - load * 0.6));
                int documentation = (int) Math.min(86400, (messaging ? 600 : duration) * load * 1.2);
                double latency = messaging ? 600 + random.nextDouble() * 20000 : 0.8 + random.nextDouble() * 4;
                String visitId = "demo-" + (++n);
                visitBatch.add(new VisitEvent(
                        CLINIC,
                        visitId,
                        PROVIDERS[provider],
                        "patient-" + patient,
                        modality,
                        scheduled,
                        started,
                        started.plusSeconds(duration),
                        faceToFace,
                        documentation,
                        (int) (documentation * random.nextDouble() * 0.4),
                        Math.round(latency * 10) / 10.0,
                        messaging ? null : Math.round((0.35 + random.nextDouble() * 0.3) * 100) / 100.0,
                        modality.equals("VIDEO") ? random.nextInt(3) : 0,
                        null));
                addRatings(ratingBatch, random, visitId, started.plusSeconds(duration + 300), load);
                if (visitBatch.size() == Math.min(500, config.ingest().maxBatch())) {
                    flush(visitBatch, ratingBatch);
                }
            }
        }
        flush(visitBatch, ratingBatch);
        LOG.infof(
                "Seeded demo clinic '%s' with %d visits over %d weeks: try /api/v1/clinics/%s/summary",
                CLINIC, n, WEEKS, CLINIC);
    }

    /** Ratings fall as documentation load rises, with noise; each instrument on a share of visits. */
    private static void addRatings(
            List<RatingEvent> out, Random random, String visitId, Instant submitted, double load) {
        double feel = Math.max(0, Math.min(1, 0.95 - load * 0.5 + random.nextGaussian() * 0.08));
        if (random.nextDouble() < 0.7) {
            Double[] srs = new Double[4];
            for (int i = 0; i < 4; i++) {
                // SRS answers cluster high (most sessions score 36 or more); strain pulls them down.
                double answer = 6.0 + feel * 4.5 + random.nextGaussian() * 0.5;
                srs[i] = Math.round(Math.max(0, Math.min(10, answer)) * 10) / 10.0;
            }
            out.add(new RatingEvent(CLINIC, visitId, "SRS", Arrays.asList(srs), submitted, null));
        }
        if (random.nextDouble() < 0.4) {
            out.add(new RatingEvent(
                    CLINIC,
                    visitId,
                    "NPS",
                    List.of((double) Math.round(Math.max(0, Math.min(10, feel * 10 + random.nextGaussian())))),
                    submitted,
                    null));
        }
        if (random.nextDouble() < 0.3) {
            out.add(new RatingEvent(CLINIC, visitId, "RAPPORT-5", likert(random, feel, 5, 1), submitted, null));
        }
        if (random.nextDouble() < 0.15) {
            out.add(new RatingEvent(CLINIC, visitId, "CARE", likert(random, feel, 10, 2), submitted, null));
        }
        if (random.nextDouble() < 0.1) {
            out.add(new RatingEvent(CLINIC, visitId, "WAI-SR", likert(random, feel, 12, 0), submitted, null));
        }
    }

    private static List<Double> likert(Random random, double feel, int items, int maxMissing) {
        List<Double> answers = new ArrayList<>(items);
        int missing = random.nextInt(maxMissing + 1);
        for (int i = 0; i < items; i++) {
            answers.add(
                    i < missing
                            ? null
                            : (double) Math.max(
                                    1, Math.min(5, Math.round(1 + feel * 4 + random.nextGaussian() * 0.5))));
        }
        return answers;
    }

    /**
     * Sends the batches in chunks the configured batch limit takes (a dev run with a smaller
     * rapport.ingest.max-batch was refused, 413, after its first visits were stored), and stops
     * the start at the first refused item rather than log a demo it did not store.
     */
    private void flush(List<VisitEvent> visitBatch, List<RatingEvent> ratingBatch) {
        if (!visitBatch.isEmpty()) {
            stored("visits", pipeline.batch(visits, mapper.valueToTree(visitBatch), ClinicScope.EVERY_CLINIC));
            visitBatch.clear();
        }
        while (!ratingBatch.isEmpty()) {
            List<RatingEvent> chunk =
                    ratingBatch.subList(0, Math.min(config.ingest().maxBatch(), ratingBatch.size()));
            stored(
                    "ratings",
                    pipeline.batch(ratings, mapper.valueToTree(new ArrayList<>(chunk)), ClinicScope.EVERY_CLINIC));
            chunk.clear();
        }
    }

    private static void stored(String what, BatchResponse answer) {
        if (answer.rejected() + answer.forbidden() > 0) {
            throw new IllegalStateException("Seeding the demo clinic: " + (answer.rejected() + answer.forbidden())
                    + " of its " + what + " were refused. What was stored stays; delete data/postgres to seed again.");
        }
    }
}

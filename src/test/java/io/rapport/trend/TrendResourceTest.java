package io.rapport.trend;

import static io.rapport.support.Fixtures.unique;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.rapport.support.Contract;
import io.rapport.trend.TrendExpectations.Driver;
import io.rapport.trend.TrendExpectations.Point;
import io.rapport.trend.TrendExpectations.Quartile;
import io.rapport.trend.TrendExpectations.Rating;
import io.rapport.trend.TrendExpectations.Series;
import io.rapport.trend.TrendExpectations.Visit;
import io.rapport.trend.TrendExpectations.Window;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * Summary, trends, provider comparison and drivers over HTTP, held against numbers worked out in
 * {@link TrendExpectations} from the very objects the test posts: plain arithmetic, never the code
 * under test and never SQL.
 *
 * <p>The main clinic: three providers, twelve patients (eight seen more than once), 36 visits
 * between Monday 2026-02-02 and Sunday 2026-03-22 in every modality, with the week of 2026-02-16
 * left empty, plus three visits just outside that window. 22 visits carry an SRS (exactly five in
 * the first week, six in another, fewer elsewhere), seven an NPS, six a CARE (one incomplete), two a
 * RAPPORT-5.
 */
@QuarkusTest
class TrendResourceTest {

    private static final String A = "dr-adeyemi";
    private static final String B = "dr-brooks";
    private static final String C = "dr-chen";

    private static final String VIDEO = "VIDEO";
    private static final String PHONE = "PHONE";
    private static final String IN_PERSON = "IN_PERSON";
    private static final String MESSAGING = "MESSAGING";

    private static final String NEW_YORK = "America/New_York";

    /** Seven Monday-to-Sunday weeks, 2026-02-02 up to (not including) 2026-03-23. */
    private static final Window WEEKS = Window.of("2026-02-02", "2026-03-23", "UTC");

    /**
     * Columns: id, provider, patient, modality, startedAt, wait in seconds (null: no scheduledStart;
     * negative: the visit began early), minutes, face-to-face s, documentation s, after-hours s,
     * response latency s, patient talk share, connection drops.
     */
    private static final List<Visit> VISITS = List.of(
            // A Sunday-evening visit in New York that is already Monday 2026-02-02 in UTC.
            v("v01", B, "pat-06", VIDEO, "2026-02-02T03:00:00Z", 120, 30, 1500, 420, 60, 1.4, 0.52, 0),
            v("v02", A, "pat-01", VIDEO, "2026-02-03T14:00:00Z", 240, 30, 1320, 600, 120, 1.8, 0.46, 1),
            v("v03", C, "pat-07", PHONE, "2026-02-03T16:30:00Z", 60, 20, 1080, 540, null, 0.9, 0.55, 0),
            v("v04", A, "pat-02", VIDEO, "2026-02-04T15:00:00Z", 780, 45, 2100, 1500, 600, 3.2, 0.31, 3),
            // Exactly 300 s late: not "over 300 s".
            v("v05", B, "pat-03", IN_PERSON, "2026-02-05T13:00:00Z", 300, 40, 2280, 480, 0, null, 0.48, null),
            v("v06", C, "pat-04", VIDEO, "2026-02-06T18:00:00Z", null, 25, 1380, 720, 240, 2.1, 0.40, 2),
            v("v07", A, "pat-05", PHONE, "2026-02-09T15:30:00Z", 30, 15, 840, 360, null, 0.6, 0.60, 0),
            v("v08", A, "pat-01", VIDEO, "2026-02-10T14:00:00Z", 420, 30, 1500, 900, 300, 2.4, 0.42, 1),
            // A message thread closed with nothing to measure: every optional field left out.
            v("v09", C, "pat-11", MESSAGING, "2026-02-10T19:00:00Z", null, 120, 0, 0, null, null, null, null),
            v("v10", C, "pat-04", IN_PERSON, "2026-02-11T16:00:00Z", -120, 30, 1620, 300, 0, null, 0.50, null),
            v("v11", B, "pat-02", MESSAGING, "2026-02-12T17:00:00Z", null, 240, 0, 420, 420, 5400.0, null, null),
            v("v12", B, "pat-06", VIDEO, "2026-02-13T14:30:00Z", 180, 30, 1440, 660, 180, 1.1, 0.47, 0),

            // No visit in the week of 2026-02-16.

            v("v13", A, "pat-07", VIDEO, "2026-02-23T15:00:00Z", 600, 30, 1200, 1200, 480, 3.8, 0.28, 4),
            v("v14", A, "pat-01", PHONE, "2026-02-24T14:00:00Z", 900, 20, 960, 840, 360, 1.5, 0.35, 0),
            v("v15", B, "pat-03", VIDEO, "2026-02-25T16:00:00Z", 90, 30, 1560, 480, 60, 1.2, 0.51, 1),
            v("v16", B, "pat-06", IN_PERSON, "2026-02-26T15:00:00Z", 0, 45, 2400, 600, null, null, 0.49, null),
            v("v17", B, "pat-08", MESSAGING, "2026-02-27T18:00:00Z", null, 180, 0, 540, 540, 1800.0, null, null),

            // Monday in UTC, Sunday 2026-03-01 21:00 in New York: the week before there.
            v("v18", C, "pat-05", VIDEO, "2026-03-02T02:00:00Z", 360, 30, 1260, 780, 780, 2.7, 0.38, 2),
            v("v19", A, "pat-01", VIDEO, "2026-03-03T14:00:00Z", 150, 30, 1380, 540, 90, 1.6, 0.45, 0),
            v("v20", C, "pat-07", PHONE, "2026-03-03T17:00:00Z", 45, 20, 1020, 600, null, 0.7, 0.58, 0),
            v("v21", A, "pat-02", VIDEO, "2026-03-04T15:00:00Z", -60, 40, 1980, 720, 120, 1.9, 0.41, 1),
            v("v22", A, "pat-09", IN_PERSON, "2026-03-04T19:00:00Z", 1200, 30, 1680, 240, 0, null, 0.53, null),
            v("v23", C, "pat-04", PHONE, "2026-03-05T14:00:00Z", 200, 20, 900, 1020, 600, 1.3, 0.33, 1),
            v("v24", B, "pat-10", VIDEO, "2026-03-05T16:00:00Z", null, 30, 1140, 1140, 300, 2.9, 0.30, 5),
            v("v25", B, "pat-06", VIDEO, "2026-03-06T14:30:00Z", 240, 30, 1500, 600, 120, 1.0, 0.50, 0),

            // Monday in UTC, Sunday 2026-03-08 22:30 EDT in New York (after the DST change).
            v("v26", C, "pat-07", VIDEO, "2026-03-09T02:30:00Z", 30, 30, 1440, 480, 480, 1.7, 0.44, 1),
            v("v27", A, "pat-01", VIDEO, "2026-03-10T14:00:00Z", 60, 30, 1560, 420, 0, 1.3, 0.49, 0),
            v("v28", C, "pat-03", IN_PERSON, "2026-03-11T15:00:00Z", 480, 30, 1500, 900, 200, null, 0.43, null),
            v("v29", B, "pat-06", PHONE, "2026-03-12T14:00:00Z", 1500, 20, 720, 1080, 540, 2.2, 0.26, 2),
            v("v30", C, "pat-12", MESSAGING, "2026-03-12T18:00:00Z", null, 300, 0, 360, null, 14400.0, null, null),
            v("v31", A, "pat-08", VIDEO, "2026-03-13T16:00:00Z", 100, 30, 1320, 660, 60, null, 0.47, 1),
            v("v32", B, "pat-05", PHONE, "2026-03-16T14:00:00Z", 75, 15, 780, 420, null, 0.5, 0.62, 0),
            v("v33", A, "pat-02", MESSAGING, "2026-03-17T15:00:00Z", null, 200, 0, 480, 480, 3600.0, null, null),
            v("v34", C, "pat-04", IN_PERSON, "2026-03-18T14:00:00Z", 360, 40, 2100, 360, null, null, 0.55, null),
            v("v35", B, "pat-06", VIDEO, "2026-03-19T14:30:00Z", 210, 30, 1380, 720, 240, 1.5, 0.46, 1),
            v("v36", A, "pat-07", MESSAGING, "2026-03-20T16:00:00Z", null, 60, 0, 600, 300, 900.0, null, null),

            // Outside the UTC window: the day before, exactly at its end (still in it in New York), after.
            v("x01", A, "pat-01", VIDEO, "2026-02-01T15:00:00Z", 60, 30, 1400, 500, 100, 1.2, 0.50, 0),
            v("x02", B, "pat-08", PHONE, "2026-03-23T00:00:00Z", 30, 20, 900, 300, null, 0.8, 0.52, 0),
            v("x03", C, "pat-12", VIDEO, "2026-03-25T15:00:00Z", 90, 30, 1200, 600, 60, 1.9, 0.47, 1));

    private static final List<Rating> RATINGS = List.of(
            // pat-01 with dr-adeyemi, SRS 39.0 before the window, then 38.0 (a drop of exactly one
            // point), 37.2, 35.0 (a drop and below 36), 36.5, 36.8.
            new Rating("x01", "SRS", 10.0, 9.8, 9.7, 9.5),
            new Rating("x01", "WAI-SR", 4.0, 4.0, 3.0, 4.0, 3.0, 4.0, 3.0, 4.0, 3.0, 5.0, 4.0, 5.0),
            new Rating("v01", "SRS", 9.8, 9.6, 9.7, 9.5),
            new Rating("v02", "SRS", 9.5, 9.5, 9.5, 9.5),
            new Rating("v04", "SRS", 8.5, 8.0, 8.5, 8.5),
            new Rating("v05", "SRS", 9.1, 9.0, 9.0, 9.1),
            new Rating("v06", "SRS", 9.0, 9.5, 9.0, 9.5),
            new Rating("v07", "NPS", 10.0),
            new Rating("v08", "SRS", 9.3, 9.3, 9.3, 9.3),
            new Rating("v10", "NPS", 9.0),
            new Rating("v12", "SRS", 9.4, 9.4, 9.4, 9.4),
            new Rating("v12", "CARE", 4.0, 5.0, null, 3.0, 4.0, 5.0, null, 4.0, 3.0, 4.0),
            new Rating("v13", "SRS", 8.5, 8.5, 8.5, 8.5),
            new Rating("v13", "CARE", 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 5.0),
            new Rating("v14", "SRS", 9.0, 9.0, 8.5, 8.5),
            new Rating("v15", "SRS", 9.5, 9.4, 9.5, 9.5),
            new Rating("v15", "CARE", 5.0, 5.0, 5.0, 5.0, 5.0, 4.0, 4.0, 4.0, 4.0, 4.0),
            new Rating("v16", "SRS", 9.5, 9.5, 9.5, 9.5),
            new Rating("v17", "NPS", 8.0),
            new Rating("v18", "NPS", 6.0),
            new Rating("v19", "SRS", 9.2, 9.1, 9.1, 9.1),
            new Rating("v21", "SRS", 9.2, 9.3, 9.2, 9.3),
            // Three "does not apply": CARE is stored but not scored.
            new Rating("v21", "CARE", 1.0, 1.0, 1.0, null, null, null, 1.0, 1.0, 1.0, 1.0),
            new Rating("v22", "SRS", 10.0, 9.9, 9.8, 9.8),
            new Rating("v23", "SRS", 8.0, 8.0, 8.0, 8.0),
            new Rating("v24", "SRS", 7.0, 7.0, 7.0, 7.0),
            new Rating("v24", "CARE", 5.0, 4.0, null, 5.0, 4.0, 5.0, 4.0, 5.0, 4.0, 5.0),
            new Rating("v25", "SRS", 9.0, 9.0, 9.0, 9.0),
            new Rating("v26", "SRS", 9.7, 9.7, 9.7, 9.7),
            new Rating("v27", "SRS", 9.2, 9.2, 9.2, 9.2),
            new Rating("v27", "RAPPORT-5", 5.0, 4.0, 5.0, 4.0, 5.0),
            new Rating("v29", "SRS", 7.5, 7.5, 7.8, 7.7),
            new Rating("v29", "RAPPORT-5", 2.0, 3.0, null, 2.0, 3.0),
            new Rating("v30", "NPS", 10.0),
            new Rating("v31", "CARE", 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0),
            new Rating("v33", "SRS", 9.1, 9.1, 9.1, 9.1),
            new Rating("v33", "NPS", 7.0),
            new Rating("v35", "SRS", 9.0, 9.0, 8.9, 9.0),
            new Rating("v36", "NPS", 3.0),
            new Rating("x03", "NPS", 2.0));

    private static final TrendExpectations EXPECT = new TrendExpectations(VISITS, RATINGS);

    private static String mainClinic;

    /** The main clinic is posted once and only read afterwards, so every test may share it. */
    private static synchronized String mainClinic() {
        if (mainClinic == null) {
            String clinic = unique("trend");
            post(clinic, VISITS, RATINGS);
            mainClinic = clinic;
        }
        return mainClinic;
    }

    // ---- summary ----------------------------------------------------------------------------

    @Test
    void summaryMatchesIndependentArithmetic() {
        String clinic = mainClinic();
        Map<String, Object> expected = EXPECT.summary(WEEKS);
        // The data must exercise what the contract distinguishes, or the test proves less than it says.
        assertThat(expected.get("ratings.'SRS'.suppressed")).isEqualTo(false);
        assertThat(expected.get("ratings.'RAPPORT-5'.suppressed")).isEqualTo(true);
        assertThat(expected.get("ratings.'NPS'.npsScore")).isNotNull();
        assertThat((Integer) expected.get("continuity.patients")).isEqualTo(8);
        assertThat((Integer) expected.get("openAlerts")).isEqualTo(17);

        JsonPath json = getJson("/summary", clinic, WEEKS.query());
        assertThat(json.getString("clinicId")).isEqualTo(clinic);
        assertThat(json.getString("from")).isEqualTo("2026-02-02");
        assertThat(json.getString("to")).isEqualTo("2026-03-23");
        assertThat(json.getString("tz")).isEqualTo("UTC");
        assertThat((Object) json.get("modality")).isNull();
        assertThat((Object) json.get("providerId")).isNull();
        assertFields(json, expected);
        // Message threads' reply times, worked out by hand: 900, 1800, 3600, 5400 and 14400 s
        // (v36, v17, v33, v11, v30). percentile_cont: p50 is the middle one; p90 sits 0.6 of the way
        // from 5400 to 14400 (rank 0.9 x 4 = 3.6), p95 0.8 of the way (rank 3.8).
        assertThat(json.getDouble("messageReplySeconds.p50")).isEqualTo(3600.0);
        assertThat(json.getDouble("messageReplySeconds.p90")).isEqualTo(10800.0);
        assertThat(json.getDouble("messageReplySeconds.p95")).isEqualTo(12600.0);
        // None of them is pooled with the live turn-taking gaps, which are all under 4 s here.
        assertThat(json.getDouble("responseLatencySeconds.p95")).isLessThan(4.0);
        // Only instruments rated on a visit in the window (the WAI-SR was before it) and only live
        // modalities with latency values (nobody measures it in person; messages are replies).
        assertThat(json.getMap("ratings").keySet())
                .containsExactlyInAnyOrderElementsOf(EXPECT.ratingInstruments(WEEKS));
        assertThat(json.getMap("ratings").keySet()).containsExactlyInAnyOrder("SRS", "NPS", "CARE", "RAPPORT-5");
        assertThat(json.getMap("responseLatencySeconds.byModality").keySet()).containsExactlyInAnyOrder(VIDEO, PHONE);
    }

    @Test
    void summaryFiltersByModalityAndProvider() {
        String clinic = mainClinic();
        for (Window w :
                List.of(WEEKS.modality(VIDEO), WEEKS.modality(MESSAGING), WEEKS.provider(A), WEEKS.provider(C))) {
            JsonPath json = getJson("/summary", clinic, w.query());
            assertFields(json, EXPECT.summary(w));
            assertThat(json.getMap("ratings").keySet())
                    .as(w.toString())
                    .containsExactlyInAnyOrderElementsOf(EXPECT.ratingInstruments(w));
            assertThat(json.getMap("responseLatencySeconds.byModality").keySet())
                    .as(w.toString())
                    .containsExactlyInAnyOrderElementsOf(EXPECT.latencyModalities(w));
        }
        // Spelled out for dr-adeyemi: 13 visits, and 3 NPS responses are too few to show.
        JsonPath a = getJson("/summary", clinic, WEEKS.provider(A).query());
        assertThat(a.getInt("visits")).isEqualTo(13);
        assertThat(a.getInt("ratings.NPS.responses")).isEqualTo(3);
        assertThat(a.getBoolean("ratings.NPS.suppressed")).isTrue();
        assertThat((Object) a.get("ratings.NPS.npsScore")).isNull();
    }

    @Test
    void oneVisitPatientsLeaveContinuityEmpty() {
        // 2026-03-12 has two visits of two patients, each seen once that day.
        Window day = Window.of("2026-03-12", "2026-03-13", "UTC");
        Map<String, Object> expected = EXPECT.summary(day);
        assertThat(expected.get("visits")).isEqualTo(2);
        JsonPath json = getJson("/summary", mainClinic(), day.query());
        assertFields(json, expected);
        assertThat(json.getInt("continuity.patients")).isZero();
        assertThat((Object) json.get("continuity.upc")).isNull();
        assertThat((Object) json.get("continuity.coc")).isNull();
        assertThat((Object) json.get("continuity.providerSwitchRate")).isNull();
    }

    /**
     * Filtered by a provider, continuity of care is that provider's patients' (every visit of each
     * patient the provider saw in the window), not the provider's own visits, which would always
     * give one provider per patient. Worked by hand: p1 sees A, B, A (UPC 2/3, COC (4 + 1 - 3) /
     * 6 = 1/3, 2 switches in 2 pairs); p2 sees A twice (UPC 1, COC 1, 1 pair, no switch); p3 sees B
     * twice and never A, so is not A's; p4 sees A once. For A: patients p1 and p2, UPC (2/3 + 1) /
     * 2, COC (1/3 + 1) / 2, switches 2 of 3 pairs. For B: p1 and p3, UPC (2/3 + 1) / 2 again, COC
     * too, 2 of 3 pairs. For the clinic: p1, p2, p3, the same means over three patients.
     */
    @Test
    void aProvidersContinuityIsTheirPatientsCare() {
        String clinic = unique("trend-care");
        post(
                clinic,
                List.of(
                        v("k1", A, "p1", VIDEO, "2026-03-02T09:00:00Z", null, 60, 0, 0, null, null, null, null),
                        v("k2", B, "p1", VIDEO, "2026-03-03T09:00:00Z", null, 60, 0, 0, null, null, null, null),
                        v("k3", A, "p1", VIDEO, "2026-03-04T09:00:00Z", null, 60, 0, 0, null, null, null, null),
                        v("k4", A, "p2", VIDEO, "2026-03-02T10:00:00Z", null, 60, 0, 0, null, null, null, null),
                        v("k5", A, "p2", VIDEO, "2026-03-05T10:00:00Z", null, 60, 0, 0, null, null, null, null),
                        v("k6", B, "p3", VIDEO, "2026-03-02T11:00:00Z", null, 60, 0, 0, null, null, null, null),
                        v("k7", B, "p3", VIDEO, "2026-03-06T11:00:00Z", null, 60, 0, 0, null, null, null, null),
                        v("k8", A, "p4", VIDEO, "2026-03-03T12:00:00Z", null, 60, 0, 0, null, null, null, null)),
                List.of());
        Window w = Window.of("2026-03-02", "2026-03-09", "UTC");

        JsonPath a = getJson("/summary", clinic, w.provider(A).query());
        assertThat(a.getInt("visits")).isEqualTo(5); // A's own: k1, k3, k4, k5, k8, and not k2
        assertContinuity(a, 2, 0.8333, 0.6667, 0.6667);

        assertContinuity(getJson("/summary", clinic, w.provider(B).query()), 2, 0.8333, 0.6667, 0.6667);
        // The clinic: UPC (2/3 + 1 + 1) / 3, COC (1/3 + 1 + 1) / 3, 2 switches of 4 pairs.
        assertContinuity(getJson("/summary", clinic, w.query()), 3, 0.8889, 0.7778, 0.5);

        // A modality filter narrows both the patients and their visits: p1's PHONE visit with B is
        // not counted, and p5, whom A saw only by PHONE, is not A's patient for VIDEO (counted, p5's
        // two VIDEO visits with B would make UPC (2/3 + 1 + 1) / 3 and the switch rate 2 of 4).
        post(
                clinic,
                List.of(
                        v("k9", B, "p1", PHONE, "2026-03-07T09:00:00Z", null, 60, 0, 0, null, null, null, null),
                        v("k10", A, "p5", PHONE, "2026-03-07T10:00:00Z", null, 60, 0, 0, null, null, null, null),
                        v("k11", B, "p5", VIDEO, "2026-03-07T11:00:00Z", null, 60, 0, 0, null, null, null, null),
                        v("k12", B, "p5", VIDEO, "2026-03-08T11:00:00Z", null, 60, 0, 0, null, null, null, null)),
                List.of());
        JsonPath video =
                getJson("/summary", clinic, w.provider(A).modality(VIDEO).query());
        assertThat(video.getInt("continuity.patients")).isEqualTo(2);
        assertThat(video.getDouble("continuity.upc")).isEqualTo(0.8333);
        assertThat(video.getDouble("continuity.providerSwitchRate")).isEqualTo(0.6667);

        // A provider who saw nobody in the window: no patient, no figures.
        JsonPath nobody = getJson("/summary", clinic, w.provider("dr-nobody").query());
        assertThat(nobody.getInt("visits")).isZero();
        assertThat(nobody.getInt("continuity.patients")).isZero();
        assertThat((Object) nobody.get("continuity.upc")).isNull();
        assertThat((Object) nobody.get("continuity.providerSwitchRate")).isNull();
    }

    private static void assertContinuity(JsonPath summary, int patients, double upc, double coc, double switchRate) {
        assertThat(summary.getInt("continuity.patients")).isEqualTo(patients);
        assertThat(summary.getDouble("continuity.upc")).isEqualTo(upc);
        assertThat(summary.getDouble("continuity.coc")).isEqualTo(coc);
        assertThat(summary.getDouble("continuity.providerSwitchRate")).isEqualTo(switchRate);
    }

    @Test
    void aVisitWithEveryOptionalFieldLeftOut() {
        String clinic = unique("trend-bare");
        Visit bare = v("bare", A, "pat-1", MESSAGING, "2026-03-04T10:00:00Z", null, 60, 0, 0, null, null, null, null);
        post(clinic, List.of(bare), List.of());
        Window w = Window.of("2026-03-02", "2026-03-09", "UTC");
        JsonPath json = getJson("/summary", clinic, w.query());
        assertFields(json, new TrendExpectations(List.of(bare), List.of()).summary(w));
        assertThat(json.getInt("visits")).isEqualTo(1);
        assertThat((Object) json.get("faceToFaceShare.mean")).isNull();
        // A message thread has no face-to-face time to average.
        assertThat((Object) json.get("faceToFaceSeconds.mean")).isNull();
        assertThat((Object) json.get("documentationToFaceToFaceRatio")).isNull();
        assertThat((Object) json.get("waitSeconds.shareOver300s")).isNull();
        assertThat(json.getMap("responseLatencySeconds.byModality")).isEmpty();
        assertThat(json.getMap("ratings")).isEmpty();

        // The share is undefined for it: the week has a visit but no observation.
        JsonPath trend = getJson("/trends", clinic, query(w, "metric", "faceToFaceShare"));
        assertThat(trend.getInt("series[0].points[0].visits")).isZero();
        assertThat((Object) trend.get("series[0].points[0].value")).isNull();
        // Counted, it is as empty as a week without visits: no values, so no value, not 0.
        JsonPath count = getJson("/trends", clinic, query(w, "metric", "faceToFaceShare", "stat", "count"));
        assertThat(count.getInt("series[0].points[0].visits")).isZero();
        assertThat((Object) count.get("series[0].points[0].value")).isNull();
        JsonPath drivers = getJson("/drivers", clinic, query(w, "instrument", "SRS"));
        assertThat(drivers.getInt("ratedVisits")).isZero();
    }

    @Test
    void theDefaultWindowIsTheNinetyDaysBeforeTomorrow() {
        LocalDate tomorrow = LocalDate.now(ZoneOffset.UTC).plusDays(1);
        JsonPath json = getJson("/summary", mainClinic(), Map.of());
        assertThat(json.getString("from")).isEqualTo(tomorrow.minusDays(90).toString());
        assertThat(json.getString("to")).isEqualTo(tomorrow.toString());
        assertThat(json.getString("tz")).isEqualTo("UTC");
        // All of the clinic's visits are from early 2026, long before that window.
        assertThat(json.getInt("visits")).isZero();
        // Alerts are not windowed.
        assertThat(json.getInt("openAlerts")).isEqualTo(EXPECT.openAlerts(null, null));
    }

    // ---- trends -----------------------------------------------------------------------------

    @Test
    void weeklyMeanFaceToFaceShareKeepsTheEmptyWeek() {
        List<Series> expected = EXPECT.trend(WEEKS, "faceToFaceShare", "week", "mean", "none");
        List<Point> points = expected.get(0).points();
        assertThat(points)
                .extracting(Point::start)
                .containsExactly(
                        "2026-02-02",
                        "2026-02-09",
                        "2026-02-16",
                        "2026-02-23",
                        "2026-03-02",
                        "2026-03-09",
                        "2026-03-16");
        assertThat(points.get(2).visits()).isZero();
        // Message threads have no face-to-face share: v09 and v11 leave four observations of six visits.
        assertThat(points.get(1).visits()).isEqualTo(4);

        // interval, stat and groupBy left to their defaults: week, mean, none.
        JsonPath json = getJson("/trends", mainClinic(), query(WEEKS, "metric", "faceToFaceShare"));
        assertThat(json.getString("metric")).isEqualTo("faceToFaceShare");
        assertThat(json.getString("interval")).isEqualTo("week");
        assertThat(json.getString("stat")).isEqualTo("mean");
        assertSeries(json, expected);
    }

    @Test
    void dailyCountsMonthlyPercentilesAndFilters() {
        String clinic = mainClinic();
        Window firstWeekOfMarch = Window.of("2026-03-01", "2026-03-08", "UTC");
        List<Series> daily = EXPECT.trend(firstWeekOfMarch, "documentationSeconds", "day", "count", "none");
        assertThat(daily.get(0).points()).hasSize(7);
        assertSeries(
                getJson(
                        "/trends",
                        clinic,
                        query(firstWeekOfMarch, "metric", "documentationSeconds", "interval", "day", "stat", "count")),
                daily);

        // Months start on the 1st even though the window starts on 2026-02-02: x01 on 2026-02-01 stays out.
        List<Series> monthly = EXPECT.trend(WEEKS, "waitSeconds", "month", "p90", "none");
        assertThat(monthly.get(0).points()).extracting(Point::start).containsExactly("2026-02-01", "2026-03-01");
        assertSeries(
                getJson("/trends", clinic, query(WEEKS, "metric", "waitSeconds", "interval", "month", "stat", "p90")),
                monthly);

        assertSeries(
                getJson(
                        "/trends",
                        clinic,
                        query(WEEKS, "metric", "responseLatencySeconds", "interval", "month", "stat", "p95")),
                EXPECT.trend(WEEKS, "responseLatencySeconds", "month", "p95", "none"));
        assertSeries(
                getJson("/trends", clinic, query(WEEKS, "metric", "afterHoursDocumentationSeconds", "stat", "p50")),
                EXPECT.trend(WEEKS, "afterHoursDocumentationSeconds", "week", "p50", "none"));
        for (String metric : List.of("patientTalkShare", "connectionDrops", "faceToFaceSeconds")) {
            assertSeries(
                    getJson("/trends", clinic, query(WEEKS, "metric", metric, "interval", "month")),
                    EXPECT.trend(WEEKS, metric, "month", "mean", "none"));
        }

        Window video = WEEKS.modality(VIDEO);
        assertSeries(
                getJson("/trends", clinic, query(video, "metric", "faceToFaceSeconds", "stat", "count")),
                EXPECT.trend(video, "faceToFaceSeconds", "week", "count", "none"));
        Window brooks = WEEKS.provider(B);
        assertSeries(
                getJson("/trends", clinic, query(brooks, "metric", "waitSeconds", "stat", "p50")),
                EXPECT.trend(brooks, "waitSeconds", "week", "p50", "none"));
    }

    @Test
    void seriesByModalityAndByProvider() {
        String clinic = mainClinic();
        List<Series> byModality = EXPECT.trend(WEEKS, "faceToFaceSeconds", "week", "p50", "modality");
        assertThat(byModality).extracting(Series::group).containsExactly(IN_PERSON, MESSAGING, PHONE, VIDEO);
        assertSeries(
                getJson(
                        "/trends",
                        clinic,
                        query(WEEKS, "metric", "faceToFaceSeconds", "stat", "p50", "groupBy", "modality")),
                byModality);

        List<Series> byProvider = EXPECT.trend(WEEKS, "documentationSeconds", "month", "mean", "provider");
        assertThat(byProvider).extracting(Series::group).containsExactly(A, B, C);
        assertSeries(
                getJson(
                        "/trends",
                        clinic,
                        query(WEEKS, "metric", "documentationSeconds", "interval", "month", "groupBy", "provider")),
                byProvider);
    }

    /**
     * A long window's series are computed in two halves cut where a bucket starts (they run at
     * once): a provider seen only in the later half still comes in group order, and no bucket is
     * split. Four weeks, cut at the third; counted by hand.
     */
    @Test
    void seriesStayInGroupOrderWhenAGroupIsSeenInOneHalfOnly() {
        String clinic = unique("halves");
        List<Map<String, Object>> visits = List.of(
                at(clinic, "z1", "dr-zed", "2026-03-03T10:00:00Z"),
                at(clinic, "z2", "dr-zed", "2026-03-08T23:30:00Z"),
                at(clinic, "a1", "dr-abel", "2026-03-24T10:00:00Z"));
        given().contentType(ContentType.JSON)
                .body(visits)
                .post("/api/v1/visits/batch")
                .then()
                .statusCode(200)
                .body("created", equalTo(3));

        JsonPath json = getJson(
                "/trends",
                clinic,
                Map.of(
                        "from", "2026-03-02",
                        "to", "2026-03-30",
                        "metric", "faceToFaceShare",
                        "interval", "week",
                        "stat", "count",
                        "groupBy", "provider"));

        assertThat(json.getList("series.group", String.class)).containsExactly("dr-abel", "dr-zed");
        assertThat(json.getList("series[0].points.start", String.class))
                .containsExactly("2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23");
        assertThat(json.getList("series[0].points.visits", Integer.class)).containsExactly(0, 0, 0, 1);
        assertThat(json.getList("series[1].points.visits", Integer.class)).containsExactly(2, 0, 0, 0);
        assertThat(json.getFloat("series[1].points[0].value")).isEqualTo(2.0f);
        assertThat(json.getFloat("series[0].points[3].value")).isEqualTo(1.0f);
    }

    private static Map<String, Object> at(String clinic, String visitId, String provider, String startedAt) {
        return io.rapport.support.Fixtures.startingAt(
                io.rapport.support.Fixtures.with(
                        io.rapport.support.Fixtures.visit(clinic, visitId), "providerId", provider),
                Instant.parse(startedAt));
    }

    @Test
    void srsTotalIsSuppressedInSparseBuckets() {
        String clinic = mainClinic();
        List<Series> mean = EXPECT.trend(WEEKS, "SRS.total", "week", "mean", "none");
        // Five SRS in the first week (shown), four in the week of 2026-02-23 (hidden), none mid-February.
        assertThat(mean.get(0).points()).extracting(Point::visits).containsExactly(5, 2, 0, 4, 6, 3, 2);
        assertThat(mean.get(0).points())
                .extracting(Point::suppressed)
                .containsExactly(false, true, true, true, false, true, true);

        // A count hides nothing.
        List<Series> count = EXPECT.trend(WEEKS, "SRS.total", "week", "count", "none");
        assertThat(count.get(0).points()).noneMatch(Point::suppressed);
        assertSeries(getJson("/trends", clinic, query(WEEKS, "metric", "SRS.total", "stat", "count")), count);

        // Monthly there are enough NPS in neither month, and enough SRS in both.
        assertSeries(
                getJson("/trends", clinic, query(WEEKS, "metric", "NPS.total", "interval", "month")),
                EXPECT.trend(WEEKS, "NPS.total", "month", "mean", "none"));
        assertSeries(
                getJson("/trends", clinic, query(WEEKS, "metric", "SRS.total", "interval", "month", "stat", "p90")),
                EXPECT.trend(WEEKS, "SRS.total", "month", "p90", "none"));

        // Last, so the empty week's point does not hide the checks above when it fails.
        assertSeries(getJson("/trends", clinic, query(WEEKS, "metric", "SRS.total")), mean);
    }

    /**
     * New York moved to EDT at 02:00 on Sunday 2026-03-08. Visits late on Sunday evenings there are
     * already Monday in UTC, so they belong to the previous week in New York and to the next one in
     * UTC; 04:30 UTC on 2026-03-09 is 00:30 Monday in EDT but would be Sunday with a fixed EST offset.
     */
    @Test
    void weeklyBucketsFollowNewYorkAcrossTheDstChange() {
        String clinic = unique("trend-dst");
        List<Visit> night = List.of(
                dst("a", "2026-02-27T15:00:00Z"), // Fri 10:00 EST
                dst("j", "2026-03-01T03:00:00Z"), // Sat 02-28 22:00 EST, Sun 03-01 in UTC
                dst("b", "2026-03-02T03:30:00Z"), // Sun 03-01 22:30 EST, Mon in UTC
                dst("c", "2026-03-08T06:30:00Z"), // Sun 01:30 EST, before the change
                dst("d", "2026-03-08T07:30:00Z"), // Sun 03:30 EDT, after it
                dst("e", "2026-03-09T02:30:00Z"), // Sun 22:30 EDT, Mon in UTC
                dst("f", "2026-03-09T03:30:00Z"), // Sun 23:30 EDT, Mon in UTC
                dst("g", "2026-03-09T04:30:00Z"), // Mon 00:30 EDT
                dst("h", "2026-03-10T15:00:00Z"), // Tue 11:00 EDT
                dst("i", "2026-03-16T03:00:00Z")); // Sun 03-15 23:00 EDT, Mon in UTC
        post(clinic, night, List.of());
        TrendExpectations expect = new TrendExpectations(night, List.of());

        // In New York the window is 2026-02-23 05:00Z to 2026-03-16 04:00Z, so i is in it.
        Window ny = Window.of("2026-02-23", "2026-03-16", NEW_YORK);
        JsonPath json = getJson("/trends", clinic, query(ny, "metric", "faceToFaceSeconds", "stat", "count"));
        assertThat(json.getList("series[0].points.start")).containsExactly("2026-02-23", "2026-03-02", "2026-03-09");
        assertThat(json.getList("series[0].points.visits")).containsExactly(3, 4, 3);
        assertSeries(json, expect.trend(ny, "faceToFaceSeconds", "week", "count", "none"));

        Window utc = Window.of("2026-02-23", "2026-03-16", "UTC");
        json = getJson("/trends", clinic, query(utc, "metric", "faceToFaceSeconds", "stat", "count"));
        assertThat(json.getList("series[0].points.visits")).containsExactly(2, 3, 4);

        // Days: 2026-03-08 lasts 23 hours in New York and holds c, d, e and f.
        Window nyDays = Window.of("2026-03-07", "2026-03-11", NEW_YORK);
        json = getJson(
                "/trends", clinic, query(nyDays, "metric", "faceToFaceSeconds", "interval", "day", "stat", "count"));
        assertThat(json.getList("series[0].points.visits")).containsExactly(0, 4, 1, 1);
        assertSeries(json, expect.trend(nyDays, "faceToFaceSeconds", "day", "count", "none"));
        json = getJson(
                "/trends",
                clinic,
                query(
                        Window.of("2026-03-07", "2026-03-11", "UTC"),
                        "metric",
                        "faceToFaceSeconds",
                        "interval",
                        "day",
                        "stat",
                        "count"));
        assertThat(json.getList("series[0].points.visits")).containsExactly(0, 2, 3, 1);

        // Months: j is still February in New York, already March in UTC.
        Window nyMonths = Window.of("2026-02-01", "2026-04-01", NEW_YORK);
        json = getJson(
                "/trends",
                clinic,
                query(nyMonths, "metric", "faceToFaceSeconds", "interval", "month", "stat", "count"));
        assertThat(json.getList("series[0].points.visits")).containsExactly(2, 8);
        json = getJson(
                "/trends",
                clinic,
                query(
                        Window.of("2026-02-01", "2026-04-01", "UTC"),
                        "metric",
                        "faceToFaceSeconds",
                        "interval",
                        "month",
                        "stat",
                        "count"));
        assertThat(json.getList("series[0].points.visits")).containsExactly(1, 9);

        // The summary window runs between local midnights: 2026-03-02 05:00Z to 2026-03-09 04:00Z.
        assertThat(getJson(
                                "/summary",
                                clinic,
                                Window.of("2026-03-02", "2026-03-09", NEW_YORK).query())
                        .getInt("visits"))
                .isEqualTo(4);
        assertThat(getJson(
                                "/summary",
                                clinic,
                                Window.of("2026-03-02", "2026-03-09", "UTC").query())
                        .getInt("visits"))
                .isEqualTo(3);
    }

    /**
     * Java reads CET, MET, EET and WET as zones with summer time; PostgreSQL reads them as the
     * fixed-offset abbreviations it looks up before zone names. A visit half an hour after a summer
     * midnight in Paris was inside the window Java computed and in a bucket PostgreSQL computed
     * outside it, so it fell out of the trend while the summary still counted it.
     */
    @Test
    void aZoneNameThatPostgresqlReadsAsAnAbbreviationIsRefused() {
        String clinic = unique("tz");
        // 22:30Z on 14 July is 00:30 on the 15th in Paris (UTC+2 in summer).
        given().contentType(ContentType.JSON)
                .body(at(clinic, "v-1", "dr-a", "2026-07-14T22:30:00Z"))
                .post("/api/v1/visits")
                .then()
                .statusCode(201);
        Map<String, Object> days =
                Map.of("metric", "faceToFaceSeconds", "interval", "day", "stat", "count", "from", "2026-07-14");
        JsonPath paris = getJson("/trends", clinic, merge(days, "to", "2026-07-17", "tz", "Europe/Paris"));
        assertThat(paris.getList("series[0].points.visits")).containsExactly(0, 1, 0);
        for (String zone : List.of("CET", "MET", "EET", "WET")) {
            badParam(clinic, "/trends", merge(days, "to", "2026-07-17", "tz", zone), "tz");
            badParam(clinic, "/summary", Map.of("from", "2026-07-14", "to", "2026-07-17", "tz", zone), "tz");
        }
        // UTC and GMT mean the same to both.
        for (String zone : List.of("UTC", "GMT", "Etc/UTC")) {
            JsonPath utc = getJson("/trends", clinic, merge(days, "to", "2026-07-16", "tz", zone));
            assertThat(utc.getList("series[0].points.visits")).as(zone).containsExactly(1, 0);
        }
    }

    /**
     * A zone both know by name can still mean different offsets to them: SystemV/EST5EDT keeps
     * the United States' rules before 2007 in Java (summer time from the last Sunday of April) and
     * is read as a POSIX rule with today's rules by PostgreSQL (from the second Sunday of March);
     * tzdata versions differ in the same way for zones whose rules changed. Java decides the
     * window's midnights, so it must decide the buckets too, or a visit falls out of the trend
     * that the summary of the same window counts.
     */
    @Test
    void theBucketsFollowTheSameZoneRulesAsTheWindow() {
        String clinic = unique("tz");
        // 04:30Z on 21 March 2026 is 23:30 on the 20th at UTC-5, standard time under the old rules.
        given().contentType(ContentType.JSON)
                .body(at(clinic, "v-1", "dr-a", "2026-03-21T04:30:00Z"))
                .post("/api/v1/visits")
                .then()
                .statusCode(201);
        String zone = "SystemV/EST5EDT";
        JsonPath summary = getJson("/summary", clinic, Map.of("from", "2026-03-20", "to", "2026-03-22", "tz", zone));
        assertThat(summary.getInt("visits")).isEqualTo(1);
        Map<String, Object> days = Map.of(
                "metric", "faceToFaceSeconds", "interval", "day", "stat", "count", "tz", zone, "from", "2026-03-20");
        assertThat(getJson("/trends", clinic, merge(days, "to", "2026-03-22")).getList("series[0].points.visits"))
                .containsExactly(1, 0);
        // Four days, cut in two halves at the 22nd's midnight, each half bucketed on its own.
        assertThat(getJson("/trends", clinic, merge(days, "to", "2026-03-24")).getList("series[0].points.visits"))
                .containsExactly(1, 0, 0, 0);
    }

    @Test
    void theMainClinicInNewYorkTime() {
        String clinic = mainClinic();
        Window ny = Window.of("2026-02-02", "2026-03-23", NEW_YORK);
        List<Series> expected = EXPECT.trend(ny, "faceToFaceShare", "week", "mean", "none");
        // v18 and v26 move back a week, v01 leaves the window and x02 enters it.
        assertThat(expected.get(0).points())
                .extracting(Point::visits)
                .isNotEqualTo(EXPECT.trend(WEEKS, "faceToFaceShare", "week", "mean", "none").get(0).points().stream()
                        .map(Point::visits)
                        .toList());
        assertSeries(getJson("/trends", clinic, query(ny, "metric", "faceToFaceShare")), expected);
        assertSeries(
                getJson("/trends", clinic, query(ny, "metric", "waitSeconds", "interval", "month", "stat", "p90")),
                EXPECT.trend(ny, "waitSeconds", "month", "p90", "none"));

        JsonPath summary = getJson("/summary", clinic, ny.query());
        assertThat(summary.getString("tz")).isEqualTo(NEW_YORK);
        assertFields(summary, EXPECT.summary(ny));
    }

    // ---- providers and drivers ----------------------------------------------------------------

    @Test
    void providersHaveOneRowEachAndAClinicRow() {
        List<Map<String, Object>> expected = EXPECT.providerRows(WEEKS);
        // dr-chen has three SRS: hidden; the others have enough. The clinic row is hidden with it,
        // or the clinic mean beside the two shown would give dr-chen's three away.
        assertThat(expected)
                .extracting(r -> r.get("ratings.'SRS'.suppressed"))
                .containsExactly(true, false, false, true);
        // NPS and CARE too: every instrument, not only SRS.
        assertThat(EXPECT.providerInstruments(WEEKS, null)).containsExactly("CARE", "NPS", "RAPPORT-5", "SRS");

        JsonPath json = getJson("/providers", mainClinic(), WEEKS.query());
        assertThat(json.getString("clinicId")).isEqualTo(mainClinic());
        assertThat(json.getString("from")).isEqualTo("2026-02-02");
        assertThat(json.getString("to")).isEqualTo("2026-03-23");
        assertThat(json.getString("tz")).isEqualTo("UTC");
        assertRow(json, "clinic", expected.get(0));
        assertThat(json.getMap("clinic.ratings").keySet())
                .containsExactlyInAnyOrderElementsOf(EXPECT.providerInstruments(WEEKS, null));
        assertThat(json.getList("providers.providerId")).containsExactly(A, B, C);
        for (int i = 1; i < expected.size(); i++) {
            String path = "providers[" + (i - 1) + "]";
            assertRow(json, path, expected.get(i));
            assertThat(json.getMap(path + ".ratings").keySet())
                    .as(path)
                    .containsExactlyInAnyOrderElementsOf(EXPECT.providerInstruments(
                            WEEKS, (String) expected.get(i).get("providerId")));
        }
        // The clinic's mean share prints the same here as in the summary.
        assertThat(json.getDouble("clinic.faceToFaceShareMean"))
                .isEqualTo(getJson("/summary", mainClinic(), WEEKS.query()).getDouble("faceToFaceShare.mean"));

        Window video = WEEKS.modality(VIDEO);
        List<Map<String, Object>> videoRows = EXPECT.providerRows(video);
        json = getJson("/providers", mainClinic(), video.query());
        assertThat(json.getString("modality")).isEqualTo(VIDEO);
        assertRow(json, "clinic", videoRows.get(0));
        assertThat(json.getList("providers")).hasSize(videoRows.size() - 1);
        for (int i = 1; i < videoRows.size(); i++) {
            assertRow(json, "providers[" + (i - 1) + "]", videoRows.get(i));
        }
    }

    @Test
    void driversOfSrs() {
        List<Driver> expected = EXPECT.drivers(WEEKS, "SRS");
        Driver share = expected.get(0);
        Driver wait = expected.get(4);
        // 22 SRS ratings in the window, one on a message thread (v33) that has no share: 21 pairs
        // split 6/5/5/5, every quartile shown; 19 waits split 5/5/5/4, the last hidden.
        assertThat(share.n()).isEqualTo(21);
        assertThat(share.quartiles()).extracting(Quartile::n).containsExactly(6, 5, 5, 5);
        assertThat(share.quartiles()).allMatch(q -> q.meanTotal() != null);
        assertThat(wait.n()).isEqualTo(19);
        assertThat(wait.quartiles()).extracting(Quartile::n).containsExactly(5, 5, 5, 4);
        assertThat(wait.quartiles().get(3).meanTotal()).isNull();
        assertThat(share.correlation()).isNotNull();
        assertThat(wait.correlation()).isNotNull();

        JsonPath json = getJson("/drivers", mainClinic(), query(WEEKS, "instrument", "SRS"));
        assertThat(json.getString("instrument")).isEqualTo("SRS");
        assertThat(json.getString("clinicId")).isEqualTo(mainClinic());
        assertThat(json.getString("from")).isEqualTo("2026-02-02");
        assertThat(json.getString("to")).isEqualTo("2026-03-23");
        assertThat(json.getString("tz")).isEqualTo("UTC");
        assertThat(json.getInt("ratedVisits"))
                .isEqualTo(EXPECT.ratedVisits(WEEKS, "SRS"))
                .isEqualTo(22);
        assertDrivers(json, expected);

        // dr-chen alone has three rated visits: every driver suppressed.
        Window chen = WEEKS.provider(C);
        json = getJson("/drivers", mainClinic(), query(chen, "instrument", "SRS"));
        assertThat(json.getString("providerId")).isEqualTo(C);
        assertThat(json.getInt("ratedVisits")).isEqualTo(3);
        assertDrivers(json, EXPECT.drivers(chen, "SRS"));

        // CARE: five complete of six, on different visits.
        json = getJson("/drivers", mainClinic(), query(WEEKS, "instrument", "CARE"));
        assertThat(json.getInt("ratedVisits"))
                .isEqualTo(EXPECT.ratedVisits(WEEKS, "CARE"))
                .isEqualTo(5);
        assertDrivers(json, EXPECT.drivers(WEEKS, "CARE"));
    }

    // ---- empty ------------------------------------------------------------------------------

    @Test
    void aClinicWithNoDataAnswersNullsNeverA500() {
        String clinic = unique("trend-empty");
        TrendExpectations nothing = new TrendExpectations(List.of(), List.of());

        JsonPath summary = getJson("/summary", clinic, WEEKS.query());
        assertFields(summary, nothing.summary(WEEKS));
        assertThat(summary.getInt("visits")).isZero();
        assertThat(summary.getMap("ratings")).isEmpty();
        assertThat(summary.getMap("responseLatencySeconds.byModality")).isEmpty();
        assertThat(summary.getInt("continuity.patients")).isZero();
        assertThat(summary.getInt("openAlerts")).isZero();

        JsonPath providers = getJson("/providers", clinic, WEEKS.query());
        assertThat(providers.getList("providers")).isEmpty();
        assertRow(providers, "clinic", nothing.providerRows(WEEKS).get(0));

        JsonPath drivers = getJson("/drivers", clinic, query(WEEKS, "instrument", "SRS"));
        assertThat(drivers.getInt("ratedVisits")).isZero();
        assertThat(drivers.getList("drivers.metric")).containsExactlyElementsOf(TrendExpectations.VISIT_METRICS);
        for (int i = 0; i < TrendExpectations.VISIT_METRICS.size(); i++) {
            String p = "drivers[" + i + "].";
            assertThat(drivers.getInt(p + "n")).isZero();
            assertThat((Object) drivers.get(p + "correlation")).isNull();
            assertThat(drivers.getBoolean(p + "suppressed")).isTrue();
            // Whether empty quartiles are listed is the service's choice; listed ones hold nothing.
            List<Map<String, Object>> quartiles = drivers.getList(p + "quartiles");
            for (Map<String, Object> q : quartiles) {
                assertThat(((Number) q.get("n")).intValue()).isZero();
                assertThat(q.get("meanTotal")).isNull();
            }
        }

        // Every bucket empty; last, so a failing point does not hide the checks above.
        for (String metric : List.of("faceToFaceShare", "waitSeconds", "SRS.total")) {
            for (String stat : List.of("mean", "p90", "count")) {
                JsonPath trend = getJson("/trends", clinic, query(WEEKS, "metric", metric, "stat", stat));
                assertSeries(trend, nothing.trend(WEEKS, metric, "week", stat, "none"));
            }
        }
    }

    // ---- bad parameters ---------------------------------------------------------------------

    @Test
    void badParametersAre400NamingTheParameter() {
        String clinic = mainClinic();
        Map<String, Map<String, Object>> endpoints = new LinkedHashMap<>();
        endpoints.put("/summary", Map.of());
        endpoints.put("/trends", Map.of("metric", "faceToFaceShare"));
        endpoints.put("/providers", Map.of());
        endpoints.put("/drivers", Map.of("instrument", "SRS"));

        LocalDate from = LocalDate.parse("2025-02-01");
        for (Map.Entry<String, Map<String, Object>> e : endpoints.entrySet()) {
            String path = e.getKey();
            Map<String, Object> base = e.getValue();
            // from after to: either bound may be the one named.
            badParam(clinic, path, merge(base, "from", "2026-03-10", "to", "2026-03-01"), "from", "to");
            badParam(
                    clinic,
                    path,
                    merge(
                            base,
                            "from",
                            from.toString(),
                            "to",
                            from.plusDays(401).toString()),
                    "from",
                    "to");
            badParam(clinic, path, merge(base, "from", "2026-02-30", "to", "2026-03-10"), "from");
            // A bound left out takes its default; the violation names the bound that was sent.
            badParam(clinic, path, merge(base, "from", "2020-01-01"), "from");
            badParam(clinic, path, merge(base, "to", "1970-01-01"), "to");
            badParam(clinic, path, merge(base, "from", "2026-03-01", "to", "March"), "to");
            badParam(clinic, path, merge(base, "tz", "Mars/Olympus"), "tz");
            badParam(clinic, path, merge(base, "modality", "FAX"), "modality");
            // Sent empty is not left out: a spreadsheet's blank cell must not widen the answer
            // to every provider or move the day boundaries to UTC without a word.
            for (String name : List.of("from", "to", "tz", "modality", "providerId")) {
                given().filter(Contract.invalidRequest())
                        .queryParams(merge(base, name, ""))
                        .get("/api/v1/clinics/" + clinic + path)
                        .then()
                        .statusCode(400)
                        .contentType("application/problem+json")
                        .body("violations.field", equalTo(List.of(name)))
                        .body("violations[0].message", containsString("without a value"));
            }
            // 400 days apart is the most allowed.
            given().accept(ContentType.JSON)
                    .queryParams(merge(
                            base,
                            "from",
                            from.toString(),
                            "to",
                            from.plusDays(400).toString()))
                    .get("/api/v1/clinics/" + clinic + path)
                    .then()
                    .statusCode(200);
        }
        // Left out, from is 90 days before to, but never before 1970-01-01.
        given().accept(ContentType.JSON)
                .queryParam("to", "1970-01-02")
                .get("/api/v1/clinics/" + clinic + "/summary")
                .then()
                .statusCode(200)
                .body("from", equalTo("1970-01-01"))
                .body("to", equalTo("1970-01-02"));
        Map<String, Object> trends = endpoints.get("/trends");
        badParam(clinic, "/trends", merge(trends, "interval", "year"), "interval");
        badParam(clinic, "/trends", merge(trends, "metric", "nope"), "metric");
        badParam(clinic, "/trends", merge(trends, "metric", "NOPE.total"), "metric");
        badParam(clinic, "/trends", merge(trends, "stat", "p42"), "stat");
        badParam(clinic, "/trends", merge(trends, "groupBy", "patient"), "groupBy");
        badParam(clinic, "/trends", Map.of(), "metric");
        badParam(clinic, "/drivers", Map.of("instrument", "NOPE"), "instrument");
        badParam(clinic, "/drivers", Map.of(), "instrument");
    }

    // ---- CSV --------------------------------------------------------------------------------

    @Test
    void everyEndpointAnswersCsv() {
        String clinic = mainClinic();

        // The summary may be long (one row per number) or wide; either way "visits" sits beside 36.
        List<Map<String, String>> summary = csv(clinic, "/summary", WEEKS.query());
        assertThat(summary).anyMatch(r -> r.containsValue("visits") && r.containsValue("36"));
        // Every CSV answer says which window and filters it was computed for.
        assertThat(summary)
                .anyMatch(r -> r.containsValue("window") && r.containsValue("from") && r.containsValue("2026-02-02"));

        List<Map<String, String>> trend =
                csv(clinic, "/trends", query(WEEKS, "metric", "faceToFaceSeconds", "stat", "count"));
        assertThat(trend.get(0)).containsKeys("start", "visits", "value");
        // The query's own choices too, as JSON echoes them: a monthly series is not a weekly one.
        assertThat(trend)
                .allMatch(r ->
                        r.get("interval").equals("week") && r.get("groupBy").equals("none"));
        assertThat(trend)
                .allMatch(r -> r.get("window.clinicId").equals(clinic)
                        && r.get("window.from").equals("2026-02-02")
                        && r.get("window.to").equals("2026-03-23")
                        && r.get("window.tz").equals("UTC")
                        && r.get("window.modality").isEmpty());
        assertThat(trend)
                .anyMatch(r ->
                        r.get("start").equals("2026-02-02") && r.get("visits").equals("6"));
        assertThat(trend)
                .anyMatch(r ->
                        r.get("start").equals("2026-02-16") && r.get("visits").equals("0"));

        List<Map<String, String>> providers = csv(clinic, "/providers", WEEKS.query());
        assertThat(providers.get(0))
                .containsKeys("providerId", "visits", "window.from", "window.to", "window.providerId");
        assertThat(providers)
                .anyMatch(r -> r.get("providerId").equals(C) && r.get("visits").equals("11"));
        assertThat(providers).allMatch(r -> r.get("clinicVisits").equals("36"));

        List<Map<String, String>> drivers = csv(clinic, "/drivers", query(WEEKS, "instrument", "SRS"));
        assertThat(drivers.get(0)).containsKeys("metric", "n");
        assertThat(drivers)
                .allMatch(r -> r.get("window.from").equals("2026-02-02")
                        && r.get("window.to").equals("2026-03-23"));
        assertThat(drivers)
                .anyMatch(r -> r.get("metric").equals("documentationSeconds")
                        && r.get("n").equals("22"));
        assertThat(drivers)
                .anyMatch(
                        r -> r.get("metric").equals("waitSeconds") && r.get("n").equals("19"));
        String rated = String.valueOf(EXPECT.ratedVisits(WEEKS, "SRS"));
        assertThat(drivers).allMatch(r -> r.get("ratedVisits").equals(rated));
    }

    /**
     * The clinic's ratings are JSON's once per answer, so CSV repeats them on every provider row:
     * without the clinic's count and flag, its blank SRS mean beside a provider's shown one read as
     * a clinic with no ratings.
     */
    @Test
    void theProvidersCsvCarriesTheClinicsRatingsBesideEachProviders() {
        Map<String, Object> clinicRow = EXPECT.providerRows(WEEKS).get(0);
        List<Map<String, String>> providers = csv(mainClinic(), "/providers", WEEKS.query());
        assertThat(providers).hasSize(3);
        for (String instrument : EXPECT.providerInstruments(WEEKS, null)) {
            String json = "ratings.'" + instrument + "'.";
            String responses = String.valueOf(clinicRow.get(json + "responses"));
            Object mean = clinicRow.get(json + "meanTotal");
            boolean suppressed = Boolean.TRUE.equals(clinicRow.get(json + "suppressed"));
            assertThat(providers)
                    .as(instrument)
                    .allMatch(r -> r.get(instrument + ".clinicResponses").equals(responses)
                            && r.get(instrument + ".clinicSuppressed").equals(String.valueOf(suppressed))
                            && (mean == null
                                    ? r.get(instrument + ".clinicMeanTotal").isEmpty()
                                    : Double.parseDouble(r.get(instrument + ".clinicMeanTotal"))
                                            == ((Number) mean).doubleValue()));
        }
        // dr-chen's three SRS hide the clinic's SRS mean, while the other providers' show.
        assertThat(providers)
                .allMatch(r -> r.get("SRS.clinicSuppressed").equals("true")
                        && r.get("SRS.clinicMeanTotal").isEmpty());
        assertThat(providers).anyMatch(r -> r.get("SRS.suppressed").equals("false"));
        assertThat(Integer.parseInt(providers.get(0).get("SRS.clinicResponses")))
                .isEqualTo(providers.stream()
                        .mapToInt(r -> Integer.parseInt(r.get("SRS.responses")))
                        .sum());
    }

    /** One address answers JSON or CSV by Accept alone, so a cache must key on it. */
    @Test
    void everyAnswerVariesByAccept() {
        String clinic = mainClinic();
        Map<String, Map<String, ?>> endpoints = Map.of(
                "/summary", WEEKS.query(),
                "/trends", query(WEEKS, "metric", "faceToFaceSeconds"),
                "/providers", WEEKS.query(),
                "/drivers", query(WEEKS, "instrument", "SRS"));
        endpoints.forEach((endpoint, query) -> {
            for (String accept : List.of("application/json", "text/csv")) {
                given().accept(accept)
                        .queryParams(query)
                        .get("/api/v1/clinics/" + clinic + endpoint)
                        .then()
                        .statusCode(200)
                        .header("Vary", containsString("Accept"));
            }
        });
    }

    // ---- data -------------------------------------------------------------------------------

    private static Visit v(
            String id,
            String provider,
            String patient,
            String modality,
            String startedAt,
            Integer waitSeconds,
            int minutes,
            int faceToFace,
            int documentation,
            Integer afterHours,
            Double latency,
            Double talkShare,
            Integer drops) {
        Instant start = Instant.parse(startedAt);
        Instant scheduled = waitSeconds == null ? null : start.minusSeconds(waitSeconds);
        return new Visit(
                id,
                provider,
                patient,
                modality,
                scheduled,
                start,
                start.plusSeconds(minutes * 60L),
                faceToFace,
                documentation,
                afterHours,
                latency,
                talkShare,
                drops);
    }

    /** One 30-minute video visit of the DST clinic. */
    private static Visit dst(String id, String startedAt) {
        return v(id, "dr-night", "pat-n-" + id, VIDEO, startedAt, 60, 30, 1200, 600, 60, 1.0, 0.5, 0);
    }

    /** Visits in one batch, then ratings one by one in visit order, as a platform would send them. */
    private static void post(String clinic, List<Visit> visits, List<Rating> ratings) {
        List<Map<String, Object>> batch =
                visits.stream().map(v -> v.json(clinic)).toList();
        given().contentType(ContentType.JSON)
                .body(batch)
                .post("/api/v1/visits/batch")
                .then()
                .statusCode(200)
                .body("created", equalTo(visits.size()))
                .body("rejected", equalTo(0));
        Map<String, Visit> byId = new LinkedHashMap<>();
        visits.forEach(v -> byId.put(v.visitId(), v));
        List<Rating> ordered = new ArrayList<>(ratings);
        ordered.sort(Comparator.comparing((Rating r) -> byId.get(r.visitId()).startedAt()));
        for (Rating r : ordered) {
            Instant submitted = byId.get(r.visitId()).endedAt().plusSeconds(600);
            given().contentType(ContentType.JSON)
                    .body(r.json(clinic, submitted))
                    .post("/api/v1/ratings")
                    .then()
                    .statusCode(201);
        }
    }

    // ---- HTTP and assertions ------------------------------------------------------------------

    private static JsonPath getJson(String endpoint, String clinic, Map<String, ?> query) {
        Response r = given().accept(ContentType.JSON).queryParams(query).get("/api/v1/clinics/" + clinic + endpoint);
        r.then().statusCode(200).contentType(ContentType.JSON);
        return r.jsonPath();
    }

    /**
     * The CSV answer as rows keyed by the header's column names. No cell of this data holds a comma
     * or a quote, so splitting on commas is enough.
     */
    /**
     * A provider id that starts like a formula ("-A1" is a cell reference to a spreadsheet) comes
     * out as text, behind an apostrophe; in JSON it stays as it is.
     */
    @Test
    void aCsvCellThatStartsLikeAFormulaIsKeptText() {
        String clinic = unique("csv");
        Instant start =
                Instant.now().minus(java.time.Duration.ofDays(2)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        given().contentType(ContentType.JSON)
                .body(io.rapport.support.Fixtures.startingAt(
                        io.rapport.support.Fixtures.with(
                                io.rapport.support.Fixtures.visit(clinic, "v-1"), "providerId", "-A1"),
                        start))
                .post("/api/v1/visits")
                .then()
                .statusCode(201);
        List<Map<String, String>> rows = csv(clinic, "/providers", Map.of());
        assertThat(rows).extracting(r -> r.get("providerId")).contains("'-A1").doesNotContain("-A1");
        given().accept(ContentType.JSON)
                .get("/api/v1/clinics/" + clinic + "/providers")
                .then()
                .statusCode(200)
                .body("providers.providerId", equalTo(List.of("-A1")));
    }

    private static List<Map<String, String>> csv(String clinic, String endpoint, Map<String, ?> query) {
        Response r = given().accept("text/csv").queryParams(query).get("/api/v1/clinics/" + clinic + endpoint);
        r.then().statusCode(200).contentType(startsWith("text/csv"));
        List<String> lines = r.asString().lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines).as(endpoint + " header and rows").hasSizeGreaterThanOrEqualTo(2);
        String[] header = lines.get(0).split(",", -1);
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            assertThat(cells).as(endpoint + " row " + line).hasSameSizeAs(header);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < header.length; i++) {
                row.put(header[i], cells[i]);
            }
            rows.add(row);
        }
        return rows;
    }

    /** One 400 names every bad parameter, the window's and the endpoint's own, in field order. */
    @Test
    void everyBadParameterIsNamedAtOnce() {
        String clinic = mainClinic();
        allNamed(
                clinic,
                "/trends",
                Map.of("metric", "nope", "stat", "p42", "interval", "year", "groupBy", "patient", "tz", "CET"),
                "groupBy",
                "interval",
                "metric",
                "stat",
                "tz");
        allNamed(clinic, "/trends", Map.of("from", "2026-02-30", "modality", "FAX"), "from", "metric", "modality");
        allNamed(clinic, "/drivers", Map.of("instrument", "NOPE", "to", "March"), "instrument", "to");
        // An endpoint's own parameter alone is named alone.
        allNamed(clinic, "/drivers", Map.of(), "instrument");
    }

    private static void allNamed(String clinic, String endpoint, Map<String, ?> query, String... fields) {
        given().filter(Contract.invalidRequest())
                .queryParams(query)
                .get("/api/v1/clinics/" + clinic + endpoint)
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("violations.field", equalTo(List.of(fields)));
    }

    private static void badParam(String clinic, String endpoint, Map<String, ?> query, String... fields) {
        Response r = given().filter(Contract.invalidRequest())
                .queryParams(query)
                .get("/api/v1/clinics/" + clinic + endpoint);
        r.then().statusCode(400).contentType("application/problem+json");
        assertThat(r.jsonPath().getString("violations[0].field"))
                .as(endpoint + " " + query)
                .isIn((Object[]) fields);
    }

    private static Map<String, Object> query(Window w, Object... keyValues) {
        return merge(w.query(), keyValues);
    }

    private static Map<String, Object> merge(Map<String, Object> base, Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>(base);
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    /** Each expected path against the answer, all reported at once. */
    private static void assertFields(JsonPath json, Map<String, Object> expected) {
        SoftAssertions soft = new SoftAssertions();
        for (Map.Entry<String, Object> e : expected.entrySet()) {
            check(soft, e.getKey(), json.get(e.getKey()), e.getValue());
        }
        soft.assertAll();
    }

    private static void assertRow(JsonPath json, String path, Map<String, Object> expected) {
        SoftAssertions soft = new SoftAssertions();
        for (Map.Entry<String, Object> e : expected.entrySet()) {
            check(soft, path + "." + e.getKey(), json.get(path + "." + e.getKey()), e.getValue());
        }
        soft.assertAll();
    }

    private static void assertSeries(JsonPath json, List<Series> expected) {
        SoftAssertions soft = new SoftAssertions();
        String metric = json.getString("metric");
        List<Map<String, Object>> series = json.getList("series");
        soft.assertThat(series)
                .extracting(s -> s.get("group"))
                .containsExactlyElementsOf(expected.stream().map(Series::group).toList());
        for (int i = 0; i < Math.min(series.size(), expected.size()); i++) {
            Series want = expected.get(i);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> points =
                    (List<Map<String, Object>>) series.get(i).get("points");
            soft.assertThat(points)
                    .extracting(p -> p.get("start"))
                    .as(want.group() + " starts")
                    .containsExactlyElementsOf(
                            want.points().stream().map(Point::start).toList());
            for (int j = 0; j < Math.min(points.size(), want.points().size()); j++) {
                Point p = want.points().get(j);
                Map<String, Object> got = points.get(j);
                String at = metric + " " + want.group() + " " + p.start() + " ";
                check(soft, at + "visits", got.get("visits"), p.visits());
                check(soft, at + "value", got.get("value"), p.value());
                check(soft, at + "suppressed", got.get("suppressed"), p.suppressed());
            }
        }
        soft.assertAll();
    }

    private static void assertDrivers(JsonPath json, List<Driver> expected) {
        SoftAssertions soft = new SoftAssertions();
        List<Map<String, Object>> drivers = json.getList("drivers");
        soft.assertThat(drivers)
                .extracting(d -> d.get("metric"))
                .containsExactlyElementsOf(expected.stream().map(Driver::metric).toList());
        for (int i = 0; i < Math.min(drivers.size(), expected.size()); i++) {
            Driver want = expected.get(i);
            Map<String, Object> got = drivers.get(i);
            check(soft, want.metric() + " n", got.get("n"), want.n());
            check(soft, want.metric() + " correlation", got.get("correlation"), want.correlation());
            check(soft, want.metric() + " suppressed", got.get("suppressed"), want.suppressed());
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> quartiles = (List<Map<String, Object>>) got.get("quartiles");
            if (quartiles == null) {
                soft.fail(want.metric() + " has no quartiles");
                continue;
            }
            soft.assertThat(quartiles)
                    .extracting(q -> ((Number) q.get("quartile")).intValue())
                    .as(want.metric())
                    .isSorted()
                    .doesNotHaveDuplicates();
            for (Quartile wq : want.quartiles()) {
                String at = want.metric() + " Q" + wq.quartile() + " ";
                Map<String, Object> gq = quartiles.stream()
                        .filter(q -> ((Number) q.get("quartile")).intValue() == wq.quartile())
                        .findFirst()
                        .orElse(null);
                if (gq == null) {
                    // ntile(4) over fewer than four pairs leaves the last quartiles without rows.
                    if (wq.n() > 0) {
                        soft.fail(at + "missing");
                    }
                    continue;
                }
                check(soft, at + "n", gq.get("n"), wq.n());
                check(soft, at + "lower", gq.get("lower"), wq.lower());
                check(soft, at + "upper", gq.get("upper"), wq.upper());
                check(soft, at + "meanTotal", gq.get("meanTotal"), wq.meanTotal());
            }
        }
        soft.assertAll();
    }

    /**
     * Counts exactly; other numbers rounded to the README's precision for their kind (named in
     * {@code what}): within half a unit of the last place of the exact value, and with no more
     * decimals than that. Null, booleans and text exactly.
     */
    private static void check(SoftAssertions soft, String what, Object actual, Object expected) {
        if (expected instanceof Integer || expected instanceof Long) {
            soft.assertThat(actual instanceof Number a ? a.longValue() : actual)
                    .as(what)
                    .isEqualTo(((Number) expected).longValue());
        } else if (expected instanceof Number n) {
            if (actual instanceof Number a) {
                int decimals = decimals(what);
                double halfUnit = 0.5 * Math.pow(10, -decimals);
                soft.assertThat(a.doubleValue()).as(what).isCloseTo(n.doubleValue(), within(halfUnit + 1e-9));
                soft.assertThat(new java.math.BigDecimal(a.toString())
                                .stripTrailingZeros()
                                .scale())
                        .as(what + " decimals")
                        .isLessThanOrEqualTo(decimals);
            } else {
                soft.fail(what + ": expected " + n + " but was " + actual);
            }
        } else {
            soft.assertThat(actual).as(what).isEqualTo(expected);
        }
    }

    /**
     * The README's precision, by what a number is: instrument totals and NPS to 2 decimals;
     * shares, rates, ratios and correlations to 4; seconds to 1; anything else (mean connection
     * drops) to 2.
     */
    private static int decimals(String what) {
        String w = what.toLowerCase(java.util.Locale.ROOT);
        if (w.contains("total") || w.contains("npsscore")) {
            return 2;
        }
        for (String share : List.of("share", "rate", "ratio", "upc", "coc", "correlation")) {
            if (w.contains(share)) {
                return 4;
            }
        }
        return w.contains("seconds") ? 1 : 2;
    }
}

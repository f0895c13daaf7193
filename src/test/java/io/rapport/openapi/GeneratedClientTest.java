package io.rapport.openapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.rapport.client.ApiClient;
import io.rapport.client.ApiException;
import io.rapport.client.ApiResponse;
import io.rapport.client.api.RatingsApi;
import io.rapport.client.api.TrendsApi;
import io.rapport.client.api.VisitsApi;
import io.rapport.client.model.BatchResponse;
import io.rapport.client.model.Outcome;
import io.rapport.client.model.Problem;
import io.rapport.client.model.Rating;
import io.rapport.client.model.RatingEvent;
import io.rapport.client.model.Summary;
import io.rapport.client.model.Violation;
import io.rapport.client.model.Visit;
import io.rapport.client.model.VisitEvent;
import io.rapport.support.Fixtures;
import io.rapport.support.Tokens;
import java.net.URI;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An integrator's round trip through the Java client generated from openapi/rapport-v1.yaml
 * (target/generated-test-sources/openapi-client), with no hand-written HTTP.
 */
@QuarkusTest
class GeneratedClientTest {

    @TestHTTPResource("/")
    URI base;

    private static final OffsetDateTime START =
            OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.HOURS).minusHours(3);

    @Test
    void postReadRateSummariseAndGetAProblem() throws Exception {
        ApiClient client = new ApiClient();
        client.updateBaseUri(base.toString().replaceAll("/$", ""));
        String token = Tokens.bearer(Tokens.suite("generated-client"));
        client.setRequestInterceptor(request -> request.header("Authorization", token));
        VisitsApi visits = new VisitsApi(client);
        String clinic = Fixtures.unique("client");

        ApiResponse<Visit> created = visits.ingestVisitWithHttpInfo(visit(clinic, "v-1", 0, 1200, 600));
        assertThat(created.getStatusCode()).isEqualTo(201);
        assertThat(created.getHeaders().get("location"))
                .singleElement()
                .asString()
                .endsWith("/api/v1/clinics/" + clinic + "/visits/v-1");

        BatchResponse batch =
                visits.ingestVisitBatch(List.of(visit(clinic, "v-2", 1, 900, 900), visit(clinic, "v-3", 2, 1500, 300)));
        assertThat(batch.getCreated()).isEqualTo(2);
        assertThat(batch.getRejected()).isZero();
        assertThat(batch.getResults()).extracting(r -> r.getStatus()).containsOnly(Outcome.CREATED);

        Visit read = visits.getVisit(clinic, "v-1");
        assertThat(read.getFaceToFaceSeconds()).isEqualTo(1200);
        // 1200 / (1200 + 600)
        assertThat(read.getFaceToFaceShare()).isCloseTo(2.0 / 3.0, within(1e-9));
        // A 30-minute visit, 4 minutes late
        assertThat(read.getDurationSeconds()).isEqualTo(1800L);
        assertThat(read.getWaitSeconds()).isEqualTo(240.0);

        Rating rating = new RatingsApi(client)
                .ingestRating(new RatingEvent()
                        .clinicId(clinic)
                        .visitId("v-1")
                        .instrument("SRS")
                        .items(List.of(9.0, 8.5, 9.5, 9.0))
                        .submittedAt(START.plusMinutes(35)));
        // 9.0 + 8.5 + 9.5 + 9.0
        assertThat(rating.getTotal()).isEqualTo(36.0);
        assertThat(rating.getComplete()).isTrue();

        LocalDate day = START.toLocalDate();
        Summary summary =
                new TrendsApi(client).getSummary(clinic, day.minusDays(1), null, null, day.plusDays(2), "UTC");
        assertThat(summary.getVisits()).isEqualTo(3L);
        // face-to-face seconds 1200, 900, 1500: mean 1200
        assertThat(summary.getFaceToFaceSeconds().getMean()).isEqualTo(1200.0);
        assertThat(summary.getRatings().get("SRS").getResponses()).isEqualTo(1L);

        ApiException refused =
                catchThrowableOfType(ApiException.class, () -> visits.ingestVisit(visit(clinic, "v-4", 3, 1200, -1)));
        assertThat(refused.getCode()).isEqualTo(400);
        assertThat(refused.getResponseHeaders().firstValue("content-type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        Problem problem = client.getObjectMapper().readValue(refused.getResponseBody(), Problem.class);
        assertThat(problem.getStatus()).isEqualTo(400);
        assertThat(problem.getViolations()).extracting(Violation::getField).containsExactly("documentationSeconds");
    }

    /** A 30-minute video visit starting {@code hour} hours after START, 4 minutes behind schedule. */
    private static VisitEvent visit(String clinic, String visitId, int hour, int faceToFace, int documentation) {
        OffsetDateTime started = START.minusHours(hour);
        return new VisitEvent()
                .clinicId(clinic)
                .visitId(visitId)
                .providerId("dr-client")
                .patientId("patient-" + visitId)
                .modality(VisitEvent.ModalityEnum.VIDEO)
                .scheduledStart(started.minusMinutes(4))
                .startedAt(started)
                .endedAt(started.plusMinutes(30))
                .faceToFaceSeconds(faceToFace)
                .documentationSeconds(documentation);
    }
}

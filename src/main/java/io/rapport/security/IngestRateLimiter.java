package io.rapport.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.rapport.config.MapKeys;
import io.rapport.config.RapportConfig;
import io.rapport.error.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A token bucket per token subject for the ingest endpoints ({@code rapport.ingest.rate-limit}
 * per second, bursts up to {@code rapport.ingest.rate-limit-burst}; a subject may have its own
 * under {@code rapport.ingest.subjects.<sub>}). Checked before anything is
 * read or stored, so a refused request leaves nothing behind. Buckets are per replica.
 */
@ApplicationScoped
public class IngestRateLimiter {

    private final Cache<String, Bucket> buckets;
    private final RapportConfig.Ingest config;

    /** Subjects' own limits by folded subject ({@link MapKeys}: keys set by environment variable arrive lowercased). */
    private final Map<String, RapportConfig.SubjectLimit> subjects;

    IngestRateLimiter(RapportConfig config) {
        this.config = config.ingest();
        this.subjects = MapKeys.folded(this.config.subjects());
        // Idle subjects are forgotten; a returning one starts with a full bucket, as a new one would.
        this.buckets = Caffeine.newBuilder()
                .expireAfterAccess(Duration.ofMinutes(10))
                .maximumSize(100_000)
                .build();
    }

    private Bandwidth limitFor(String subject) {
        // Subjects that differ only in case or punctuation share one configured limit.
        RapportConfig.SubjectLimit own = subjects.get(MapKeys.folded(subject));
        double perSecond = own == null ? config.rateLimit() : own.rateLimit().orElse(config.rateLimit());
        int burst = own == null ? config.rateLimitBurst() : own.rateLimitBurst().orElse(config.rateLimitBurst());
        // Bucket4j refills whole tokens over a period: the rate per minute keeps fractions like 0.5/s.
        long perMinute = Math.max(1, Math.round(perSecond * 60));
        return Bandwidth.builder()
                .capacity(burst)
                .refillGreedy(perMinute, Duration.ofMinutes(1))
                .build();
    }

    /** Takes one request from the subject's bucket, or refuses with 429 and when to retry. */
    public void admit(String subject) {
        Bucket bucket = buckets.get(
                subject == null ? "" : subject,
                s -> Bucket.builder().addLimit(limitFor(s)).build());
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        if (!probe.isConsumed()) {
            long seconds = TimeUnit.NANOSECONDS.toSeconds(probe.getNanosToWaitForRefill()) + 1;
            throw ProblemException.tooManyRequests(
                    "This token has sent more ingest requests than its rate limit allows; nothing was stored. "
                            + "Retry after the time in Retry-After.",
                    seconds);
        }
    }
}

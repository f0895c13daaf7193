package io.rapport.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * StrictJson reads instants with ITU where it can and java.time elsewhere: it must accept exactly
 * what {@link Instant#parse} accepts, and read the same instant from it.
 */
class InstantReadingTest {

    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");

    /** Every second of years 1 to 9999, with 0 to 9 digits of fraction. */
    @Property(tries = 2000)
    void readsWhatInstantParseReads(
            @ForAll @LongRange(min = -62_135_596_800L, max = 253_402_300_799L) long epochSecond,
            @ForAll @IntRange(min = 0, max = 999_999_999) int nanos,
            @ForAll @IntRange(min = 0, max = 9) int digits) {
        String fraction = digits == 0 ? "" : "." + String.format("%09d", nanos).substring(0, digits);
        String text =
                LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC).format(SECONDS) + fraction + "Z";
        assertThat(StrictJson.TextInstants.instant(text)).isEqualTo(Instant.parse(text));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "2024-02-29T00:00:00Z",
                "2026-02-29T00:00:00Z",
                "2026-04-31T00:00:00Z",
                "2026-13-01T00:00:00Z",
                "2026-00-10T00:00:00Z",
                "2026-01-05T24:00:00Z",
                "2026-01-05T23:60:00Z",
                "2026-12-31T23:59:60Z",
                "2026-01-05T09:00Z",
                "2026-01-05t09:00:00z",
                "2026-01-05T09:00:00z",
                "2026-01-05 09:00:00Z",
                "2026-01-05T09:00:00.Z",
                "2026-01-05T09:00:00,5Z",
                "2026-01-05T09:00:00.1234567891Z",
                "2026-01-05T09:00:00.123456789Z",
                "2026-01-05T09:00:00+01:00",
                "2026-01-05T09:00:00-00:00",
                "+2026-01-05T09:00:00Z",
                "0000-01-01T00:00:00Z",
                "2026-1-05T09:00:00Z",
                "2026-01-05T9:00:00Z",
                "2026-01-05T09:00:00.5ZZ",
                "2026-01-05T09:00:00Z ",
                "2026-01-05TT9:00:00Z",
                "abcd-ef-ghTij:kl:mnZ",
                "2026-01-05T09:00:00.-5Z"
            })
    void refusesWhatInstantParseRefusesAndReadsTheRestAlike(String text) {
        Instant expected;
        try {
            expected = Instant.parse(text);
        } catch (DateTimeException e) {
            expected = null;
        }
        Instant read;
        try {
            read = StrictJson.TextInstants.instant(text);
        } catch (DateTimeException e) {
            read = null;
        }
        assertThat(read).as(text).isEqualTo(expected);
    }
}

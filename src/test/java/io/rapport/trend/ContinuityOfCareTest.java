package io.rapport.trend;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The one-pass walk and its ordering on a few patients worked by hand; TrendResourceTest checks it over HTTP. */
class ContinuityOfCareTest {

    private static final int A = 0;
    private static final int B = 1;
    private static final int C = 2;
    private static final int D = 3;

    @Test
    void patientsWithTwoOrMoreVisitsCountAndSwitchesFollowVisitOrder() {
        ContinuityOfCare walk = new ContinuityOfCare();
        // p1 sees A, B, A: n 3, most-seen 2, UPC 2/3; COC (2^2 + 1^2 - 3) / (3 x 2) = 1/3; 2 switches in 2 pairs.
        walk.patient();
        walk.visit(A);
        walk.visit(B);
        walk.visit(A);
        // p2 has one visit: no UPC, COC or pair of its own.
        walk.patient();
        walk.visit(D);
        // p3 sees C twice: UPC 1, COC (4 - 2) / (2 x 1) = 1, no switch in 1 pair.
        walk.patient();
        walk.visit(C);
        walk.visit(C);

        Summary.Continuity c = walk.result();
        assertThat(c.patients()).isEqualTo(2);
        assertThat(c.upc()).isEqualTo(0.8333); // (2/3 + 1) / 2
        assertThat(c.coc()).isEqualTo(0.6667); // (1/3 + 1) / 2
        assertThat(c.providerSwitchRate()).isEqualTo(0.6667); // 2 of 3 pairs
    }

    @Test
    void aPatientWithManyProvidersCountsEach() {
        ContinuityOfCare walk = new ContinuityOfCare();
        // Six providers, the third seen twice: n 7, most-seen 2, UPC 2/7; COC (4 + 5 - 7) / 42 = 1/21; 6 switches in 6
        // pairs.
        walk.patient();
        for (int provider : new int[] {0, 1, 2, 3, 2, 4, 5}) {
            walk.visit(provider);
        }
        Summary.Continuity c = walk.result();
        assertThat(c.upc()).isEqualTo(0.2857);
        assertThat(c.coc()).isEqualTo(0.0476);
        assertThat(c.providerSwitchRate()).isEqualTo(1.0);
    }

    @Test
    void noPatientWithTwoVisitsGivesNoFigures() {
        ContinuityOfCare walk = new ContinuityOfCare();
        walk.patient();
        walk.visit(A);
        walk.patient();
        walk.visit(A);
        assertThat(walk.result()).isEqualTo(new Summary.Continuity(0, null, null, null));
    }

    @Test
    void visitsArePutInPatientStartAndVisitIdOrderWhateverOrderTheyCameIn() {
        // As a scan might send them: p1's visits out of order, three of them at the same start,
        // where the visit id decides byte by byte ("v1" < "v10" < "v9"); p2's between them.
        Words patients = words("p1 p2 p1 p1 p2 p1");
        Words providers = words("A A B A A B");
        long[] starts = {200, 100, 100, 100, 200, 100};
        Words visits = words("v2 w1 v9 v1 w2 v10");
        ContinuityOfCare walk = new ContinuityOfCare();
        TrendSql.inPatientOrder(patients.numbers(), providers.numbers(), starts, visits, walk);
        // p1 in order: v1 (A, 100), v10 (B, 100), v9 (B, 100), v2 (A, 200): A B B A, 2 switches in
        // 3 pairs. Any other order gives another count: as sent, A B A B (3); by start alone,
        // keeping the order sent, B A B A (3); by visit id alone, A B A B (3); ties reversed,
        // B B A A (1). n 4, A twice and B twice: UPC 1/2, COC (4 + 4 - 4) / 12 = 1/3.
        // p2: A A, no switch in 1 pair; UPC 1, COC 1.
        Summary.Continuity c = walk.result();
        assertThat(c.patients()).isEqualTo(2);
        assertThat(c.upc()).isEqualTo(0.75); // (1/2 + 1) / 2
        assertThat(c.coc()).isEqualTo(0.6667); // (1/3 + 1) / 2
        assertThat(c.providerSwitchRate()).isEqualTo(0.5); // 2 of 4 pairs
    }

    @Test
    void aPatientWithManyVisitsSentOutOfOrderIsSortedToo() {
        // One pseudonym with 40 visits, more than an insertion sort is left to: A at starts 1-20,
        // B at 21-40, sent interleaved from both ends (1, 40, 2, 39, ...).
        int n = 40;
        StringBuilder providerText = new StringBuilder();
        StringBuilder visitText = new StringBuilder();
        long[] starts = new long[n];
        for (int i = 0; i < n; i++) {
            int start = i % 2 == 0 ? 1 + i / 2 : n - i / 2;
            starts[i] = start;
            providerText.append(i == 0 ? "" : " ").append(start <= 20 ? "A" : "B");
            visitText.append(i == 0 ? "" : " ").append("v").append(start);
        }
        ContinuityOfCare walk = new ContinuityOfCare();
        TrendSql.inPatientOrder(
                new int[n], words(providerText.toString()).numbers(), starts, words(visitText.toString()), walk);
        // In start order: A x 20 then B x 20, 1 switch in 39 pairs; UPC 20/40; COC (400 + 400 - 40)
        // / (40 x 39) = 760 / 1560.
        Summary.Continuity c = walk.result();
        assertThat(c.providerSwitchRate()).isEqualTo(0.0256); // 1 / 39 = 0.02564
        assertThat(c.upc()).isEqualTo(0.5);
        assertThat(c.coc()).isEqualTo(0.4872); // 0.48718
    }

    @Test
    void wordsNumberEqualBytesAlikeAndCountMustMatch() {
        assertThat(words("x yy x zzz yy x").numbers()).containsExactly(0, 1, 0, 2, 1, 0);
        // An empty word is a word: "a", "" and "a" again.
        assertThat(Words.of(new byte[] {'a', 0, 0, 'a'}, 3).numbers()).containsExactly(0, 1, 0);
        assertThat(Words.of(null, 0).numbers()).isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Words.of(bytes("a b"), 3))
                .isInstanceOf(IllegalStateException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Words.of(bytes("a b c"), 2))
                .isInstanceOf(IllegalStateException.class);
    }

    /** Space-separated words as the window's statement sends them, NUL-separated. */
    private static Words words(String text) {
        return Words.of(bytes(text), text.split(" ").length);
    }

    private static byte[] bytes(String text) {
        return text.replace(' ', '\0').getBytes(StandardCharsets.US_ASCII);
    }
}

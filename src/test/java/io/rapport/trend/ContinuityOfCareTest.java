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
        // As the window's scan might send them: p1's visits out of order, and two of its visits at
        // the same start, where the visit id decides ("v10" before "v9" byte by byte).
        Words patients = words("p1 p2 p1 p1 p2 p1");
        Words providers = words("B A A C A A");
        long[] starts = {300, 100, 100, 200, 200, 200};
        Words visits = words("v9 w1 v1 v10 w2 v2");
        ContinuityOfCare walk = new ContinuityOfCare();
        TrendSql.inPatientOrder(patients.numbers(), providers.numbers(), starts, visits, walk);
        // p1 in order: v1 (A, 100), v10 (C, 200), v2 (A, 200), v9 (B, 300): A C A B, 3 switches in
        // 3 pairs; n 4, A twice: UPC 1/2, COC (4 + 1 + 1 - 4) / 12 = 1/6.
        // p2: A A, no switch in 1 pair; UPC 1, COC 1.
        Summary.Continuity c = walk.result();
        assertThat(c.patients()).isEqualTo(2);
        assertThat(c.upc()).isEqualTo(0.75); // (1/2 + 1) / 2
        assertThat(c.coc()).isEqualTo(0.5833); // (1/6 + 1) / 2
        assertThat(c.providerSwitchRate()).isEqualTo(0.75); // 3 of 4 pairs
    }

    @Test
    void wordsNumberEqualBytesAlikeAndCountMustMatch() {
        assertThat(words("x yy x zzz yy x").numbers()).containsExactly(0, 1, 0, 2, 1, 0);
        assertThat(Words.of(null, 0).numbers()).isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Words.of(bytes("a b"), 3))
                .isInstanceOf(IllegalStateException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Words.of(bytes("a b c"), 2))
                .isInstanceOf(IllegalStateException.class);
    }

    private static Words words(String text) {
        return Words.of(bytes(text), text.split(" ").length);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}

package io.rapport.trend;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The one-pass walk on a few patients worked by hand; TrendResourceTest checks it over HTTP. */
class ContinuityOfCareTest {

    @Test
    void patientsWithTwoOrMoreVisitsCountAndSwitchesFollowVisitOrder() {
        ContinuityOfCare walk = new ContinuityOfCare();
        // p1 sees A, B, A: n 3, most-seen 2, UPC 2/3; COC (2^2 + 1^2 - 3) / (3 x 2) = 1/3; 2 switches in 2 pairs.
        walk.add("p1", "A");
        walk.add("p1", "B");
        walk.add("p1", "A");
        // p2 has one visit: no UPC, COC or pair of its own.
        walk.add("p2", "D");
        // p3 sees C twice: UPC 1, COC (4 - 2) / (2 x 1) = 1, no switch in 1 pair.
        walk.add("p3", "C");
        walk.add("p3", "C");

        Summary.Continuity c = walk.result();
        assertThat(c.patients()).isEqualTo(2);
        assertThat(c.upc()).isEqualTo(0.8333); // (2/3 + 1) / 2
        assertThat(c.coc()).isEqualTo(0.6667); // (1/3 + 1) / 2
        assertThat(c.providerSwitchRate()).isEqualTo(0.6667); // 2 of 3 pairs
    }

    @Test
    void noPatientWithTwoVisitsGivesNoFigures() {
        ContinuityOfCare walk = new ContinuityOfCare();
        walk.add("p1", "A");
        walk.add("p2", "A");
        assertThat(walk.result()).isEqualTo(new Summary.Continuity(0, null, null, null));
    }
}

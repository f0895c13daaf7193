package io.rapport.instrument;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rapport.error.Violation;
import io.rapport.instrument.InstrumentDefinition.MissingPolicy;
import io.rapport.instrument.InstrumentDefinition.MissingRule;
import io.rapport.instrument.InstrumentDefinition.OverLimit;
import io.rapport.instrument.InstrumentDefinition.TotalRule;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every expected number here is worked out by hand in the comment beside it, so a scoring bug
 * cannot hide by producing its own expectation.
 */
class ScoringTest {

    private static final InstrumentDefinition SRS = BuiltInInstruments.SRS;
    private static final InstrumentDefinition WAI_SR = BuiltInInstruments.WAI_SR;
    private static final InstrumentDefinition CARE = BuiltInInstruments.CARE;
    private static final InstrumentDefinition NPS = BuiltInInstruments.NPS;
    private static final InstrumentDefinition RAPPORT_5 = BuiltInInstruments.RAPPORT_5;

    // SRS: four lines 0-10 to one decimal, SUM 0-40

    @Test
    void srsSumHasNoBinaryNoise() {
        // 9.1 + 8.7 + 9.3 + 9.0 = 36.1; naive double addition gives 36.099999999999994
        Score s = scored(SRS, 9.1, 8.7, 9.3, 9.0);
        assertTrue(s.complete());
        assertEquals(36.1, s.total());
        // 36.1 / 40 = 0.9025
        assertEquals(0.9025, s.normalized());
        assertEquals(Map.of(), s.subscales());
        assertNull(s.category());
    }

    @Test
    void srsExactlyAtCutoff() {
        // 8.5 + 9.5 = 18.0; 9.2 + 8.8 = 18.0; 18.0 + 18.0 = 36.0
        assertEquals(36.0, scored(SRS, 8.5, 9.5, 9.2, 8.8).total());
    }

    @Test
    void srsJustBelowCutoff() {
        // 7.3 + 9.9 = 17.2; 17.2 + 8.8 = 26.0; 26.0 + 9.9 = 35.9
        Score s = scored(SRS, 7.3, 9.9, 8.8, 9.9);
        assertEquals(35.9, s.total());
        // 35.9 / 40 = 0.8975
        assertEquals(0.8975, s.normalized());
    }

    @Test
    void srsExtremes() {
        // 0 + 0 + 0 + 0 = 0 -> normalized 0; 10 * 4 = 40 -> normalized 1
        assertEquals(0.0, scored(SRS, 0, 0, 0, 0).normalized());
        Score top = scored(SRS, 10, 10, 10, 10);
        assertEquals(40.0, top.total());
        assertEquals(1.0, top.normalized());
    }

    @Test
    void srsAnswerBetweenTenthsIsRejected() {
        assertEquals(
                List.of(new Violation("items[1]", "must be a multiple of 0.1")),
                Scoring.validate(SRS, answers(9.0, 7.25, 9.0, 9.0)));
    }

    @Test
    void srsAllowsNoMissingAnswer() {
        assertEquals(
                List.of(new Violation("items[2]", "is required: SRS allows no missing answers")),
                Scoring.validate(SRS, answers(9.0, 9.0, null, 9.0)));
    }

    @Test
    void outOfRangeAnswersAreEachNamed() {
        assertEquals(
                List.of(
                        new Violation("items[0]", "must be between 0 and 10"),
                        new Violation("items[3]", "must be between 0 and 10")),
                Scoring.validate(SRS, answers(-0.1, 5, 5, 10.1)));
    }

    @Test
    void wrongItemCountIsOneViolationOnItems() {
        Violation expected =
                new Violation("items", "must hold 4 answers, one per item in order, null for a missing one");
        assertEquals(List.of(expected), Scoring.validate(SRS, answers(9, 9, 9)));
        assertEquals(List.of(expected), Scoring.validate(SRS, answers(9, 9, 9, 9, 9)));
        assertEquals(List.of(expected), Scoring.validate(SRS, null));
    }

    // WAI-SR: twelve items 1-5, SUM 12-60, subscales Task/Bond/Goal

    @Test
    void waiSrTotalAndSubscales() {
        // item:      1  2  3  4  5  6  7  8  9 10 11 12
        // answer:    4  5  3  4  2  5  3  4  5  3  4  5
        Score s = scored(WAI_SR, 4, 5, 3, 4, 2, 5, 3, 4, 5, 3, 4, 5);
        // Task = items 1, 2, 10, 12 = 4 + 5 + 3 + 5 = 17
        // Bond = items 3, 5, 7, 9   = 3 + 2 + 3 + 5 = 13
        // Goal = items 4, 6, 8, 11  = 4 + 5 + 4 + 4 = 17
        assertEquals(List.of("Task", "Bond", "Goal"), List.copyOf(s.subscales().keySet()));
        assertEquals(17.0, s.subscales().get("Task"));
        assertEquals(13.0, s.subscales().get("Bond"));
        assertEquals(17.0, s.subscales().get("Goal"));
        // 17 + 13 + 17 = 47
        assertEquals(47.0, s.total());
        // (47 - 12) / (60 - 12) = 35 / 48 = 0.72916666...
        assertEquals(0.7291666667, s.normalized(), 1e-10);
    }

    @Test
    void waiSrRejectsZeroAndHalfPoints() {
        assertEquals(
                List.of(
                        new Violation("items[0]", "must be between 1 and 5"),
                        new Violation("items[11]", "must be a multiple of 1")),
                Scoring.validate(WAI_SR, answers(0, 5, 3, 4, 2, 5, 3, 4, 5, 3, 4, 4.5)));
    }

    // CARE: ten items 1-5, SUM 10-50, up to two "does not apply" imputed, more -> incomplete

    @Test
    void careAllAnswered() {
        // 5 + 4 + 4 + 5 + 3 + 4 + 5 + 5 + 4 + 3 = 42
        Score s = scored(CARE, 5, 4, 4, 5, 3, 4, 5, 5, 4, 3);
        assertEquals(42.0, s.total());
        // (42 - 10) / 40 = 0.8
        assertEquals(0.8, s.normalized());
    }

    @Test
    void careTwoDoesNotApplyTakeTheMeanOfTheOthers() {
        // answered: 4 + 3 + 4 + 4 + 4 + 3 + 4 + 4 = 30 over 8 items, mean 3.75
        // total = 30 + 2 * 3.75 = 30 * 10 / 8 = 37.5
        Score s = scored(CARE, 4, null, 3, 4, 4, null, 4, 3, 4, 4);
        assertTrue(s.complete());
        assertEquals(37.5, s.total());
        // (37.5 - 10) / 40 = 0.6875
        assertEquals(0.6875, s.normalized());
    }

    @Test
    void careOneDoesNotApplyWithARepeatingMean() {
        // answered: 5 + 5 + 4 + 4 + 5 + 4 + 4 + 5 + 4 = 40 over 9 items; total = 40 * 10 / 9 = 44.444...
        Score s = scored(CARE, 5, 5, 4, 4, 5, 4, 4, 5, 4, null);
        assertEquals(44.4444444444, s.total(), 1e-10);
    }

    @Test
    void careThreeDoesNotApplyIsStoredIncomplete() {
        List<Double> a = answers(4, null, 3, null, 4, null, 4, 3, 4, 4);
        assertEquals(List.of(), Scoring.validate(CARE, a));
        Score s = Scoring.score(CARE, a);
        assertFalse(s.complete());
        assertNull(s.total());
        assertNull(s.normalized());
        assertNull(s.category());
        assertEquals(Map.of(), s.subscales());
    }

    // NPS: one item 0-10, total = the item, categories detractor/passive/promoter

    @Test
    void npsCategoriesAtTheirEdges() {
        // 0-6 detractor, 7-8 passive, 9-10 promoter
        assertEquals("detractor", scored(NPS, 0).category());
        assertEquals("detractor", scored(NPS, 6).category());
        assertEquals("passive", scored(NPS, 7).category());
        assertEquals("passive", scored(NPS, 8).category());
        assertEquals("promoter", scored(NPS, 9).category());
        assertEquals("promoter", scored(NPS, 10).category());
    }

    @Test
    void npsTotalIsTheAnswer() {
        Score s = scored(NPS, 6);
        assertEquals(6.0, s.total());
        // (6 - 0) / (10 - 0) = 0.6
        assertEquals(0.6, s.normalized());
        // a detractor sits below the cutoff of 7
        assertTrue(s.total() < NPS.defaultCutoff());
    }

    @Test
    void npsRejectsFractionsAndSilence() {
        assertEquals(
                List.of(new Violation("items[0]", "must be a multiple of 1")), Scoring.validate(NPS, answers(6.5)));
        assertEquals(
                List.of(new Violation("items[0]", "is required: NPS allows no missing answers")),
                Scoring.validate(NPS, answers((Number) null)));
    }

    // RAPPORT-5: five items 1-5, MEAN 1-5, one skipped item allowed

    @Test
    void rapport5Mean() {
        // (4 + 5 + 3 + 4 + 4) / 5 = 20 / 5 = 4.0
        Score s = scored(RAPPORT_5, 4, 5, 3, 4, 4);
        assertEquals(4.0, s.total());
        // (4 - 1) / (5 - 1) = 0.75
        assertEquals(0.75, s.normalized());
    }

    @Test
    void rapport5OneSkippedIsTheMeanOfTheOtherFour() {
        // (5 + 4 + 4 + 4) / 4 = 17 / 4 = 4.25
        Score s = scored(RAPPORT_5, 5, null, 4, 4, 4);
        assertTrue(s.complete());
        assertEquals(4.25, s.total());
        // (4.25 - 1) / 4 = 0.8125
        assertEquals(0.8125, s.normalized());
    }

    @Test
    void rapport5TwoSkippedIsRejected() {
        List<Double> a = answers(5, null, null, 4, 4);
        assertEquals(
                List.of(new Violation("items", "at most 1 answer may be missing")), Scoring.validate(RAPPORT_5, a));
        assertThrows(IllegalArgumentException.class, () -> Scoring.score(RAPPORT_5, a));
    }

    // clinic-registered instruments

    @Test
    void sumOfTenthsStartsExactlyAtItsMinimum() {
        InstrumentDefinition tenths = custom(3, 0.1, 1.0, 0.1, null, TotalRule.SUM, MissingPolicy.NONE, 0);
        // 3 * 0.1 = 0.3, not 0.30000000000000004
        assertEquals(0.3, tenths.totalMin());
        Score s = scored(tenths, 0.1, 0.1, 0.1);
        // 0.1 + 0.1 + 0.1 = 0.3 -> normalized (0.3 - 0.3) / (3.0 - 0.3) = 0
        assertEquals(0.3, s.total());
        assertEquals(0.0, s.normalized());
    }

    @Test
    void meanOfAnsweredLeavesAnUnansweredSubscaleEmpty() {
        Map<String, List<Integer>> subscales = new LinkedHashMap<>();
        subscales.put("Warmth", List.of(1, 2));
        subscales.put("Clarity", List.of(3));
        InstrumentDefinition def = custom(3, 1, 5, 1, subscales, TotalRule.MEAN, MissingPolicy.MEAN_OF_ANSWERED, 1);
        Score s = scored(def, 2, 5, null);
        // (2 + 5) / 2 = 3.5 for both the total and Warmth; Clarity's only item is unanswered
        assertEquals(3.5, s.total());
        assertEquals(3.5, s.subscales().get("Warmth"));
        assertTrue(s.subscales().containsKey("Clarity"));
        assertNull(s.subscales().get("Clarity"));
    }

    @Test
    void imputedMeanCountsInsideSubscales() {
        Map<String, List<Integer>> subscales = new LinkedHashMap<>();
        subscales.put("First", List.of(1, 2));
        subscales.put("Rest", List.of(3, 4));
        InstrumentDefinition def = custom(4, 1, 5, 1, subscales, TotalRule.SUM, MissingPolicy.IMPUTE_MEAN, 1);
        Score s = scored(def, 4, null, 3, 5);
        // mean of answered (4 + 3 + 5) / 3 = 4 fills item 2: First = 4 + 4 = 8, Rest = 3 + 5 = 8, total 16
        assertEquals(8.0, s.subscales().get("First"));
        assertEquals(8.0, s.subscales().get("Rest"));
        assertEquals(16.0, s.total());
    }

    @Test
    void gridOffsetFromZeroIsDescribed() {
        InstrumentDefinition halves = custom(1, 0.5, 4.5, 1, null, TotalRule.ITEM, MissingPolicy.NONE, 0);
        assertEquals(
                List.of(new Violation("items[0]", "must be 0.5 plus a multiple of 1")),
                Scoring.validate(halves, answers(2)));
    }

    @Test
    void violationsComeInFieldOrderWithNumericIndexes() {
        List<Double> a = answers(7, 2, null, 6, 2, 5, 3, 4, 5, 3, 0, 5.5);
        assertEquals(
                List.of("items[0]", "items[2]", "items[3]", "items[10]", "items[11]", "items[11]"),
                Scoring.validate(WAI_SR, a).stream().map(Violation::field).toList());
    }

    private static InstrumentDefinition custom(
            int items,
            double min,
            double max,
            double step,
            Map<String, List<Integer>> subscales,
            TotalRule total,
            MissingPolicy policy,
            int maxMissing) {
        return new InstrumentDefinition(
                "clinic-1",
                "CUSTOM",
                1,
                "Custom",
                items,
                min,
                max,
                step,
                null,
                subscales,
                total,
                new MissingRule(policy, maxMissing, OverLimit.REJECT),
                null,
                null,
                false,
                0);
    }

    private static Score scored(InstrumentDefinition def, Number... values) {
        List<Double> a = answers(values);
        assertEquals(List.of(), Scoring.validate(def, a));
        return Scoring.score(def, a);
    }

    private static List<Double> answers(Number... values) {
        return Arrays.stream(values)
                .map(v -> v == null ? null : v.doubleValue())
                .toList();
    }
}

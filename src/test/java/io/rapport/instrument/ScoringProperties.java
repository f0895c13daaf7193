package io.rapport.instrument;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rapport.error.Violation;
import io.rapport.instrument.InstrumentDefinition.MissingPolicy;
import io.rapport.instrument.InstrumentDefinition.OverLimit;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class ScoringProperties {

    /** One patient's answers to one instrument; {@code bad} holds the positions deliberately out of range. */
    record Answers(InstrumentDefinition def, List<Double> items, Set<Integer> bad) {}

    @Property(tries = 200)
    void validAnswersScoreInsideTheInstrumentsRange(@ForAll("valid") Answers a) {
        InstrumentDefinition def = a.def();
        assertEquals(List.of(), Scoring.validate(def, a.items()));
        Score s = Scoring.score(def, a.items());
        assertTrue(s.complete());
        assertTrue(s.total() >= def.totalMin() && s.total() <= def.totalMax(), () -> "total " + s.total());
        assertTrue(s.normalized() >= 0 && s.normalized() <= 1, () -> "normalized " + s.normalized());
        assertEquals(
                def.subscales() == null ? 0 : def.subscales().size(),
                s.subscales().size());
        if (def.categories() != null) {
            // the built-ins' categories cover every total on the grid
            assertNotNull(s.category());
        }
    }

    @Property(tries = 200)
    void anAnswerOutOfRangeIsRejectedByPosition(@ForAll("outOfRange") Answers a) {
        List<Violation> violations = Scoring.validate(a.def(), a.items());
        String range = "must be between " + Numbers.format(a.def().itemMin()) + " and "
                + Numbers.format(a.def().itemMax());
        for (int i : a.bad()) {
            Violation expected = new Violation("items[" + i + "]", range);
            assertTrue(violations.contains(expected), () -> expected + " missing from " + violations);
        }
    }

    @Property(tries = 100)
    void tooManyMissingAnswersAreRejectedOrMarkedIncomplete(@ForAll("overMissing") Answers a) {
        InstrumentDefinition def = a.def();
        List<Violation> violations = Scoring.validate(def, a.items());
        if (def.missing().policy() == MissingPolicy.NONE) {
            assertEquals(a.bad().size(), violations.size());
            assertTrue(violations.stream().allMatch(v -> v.message().startsWith("is required")), violations::toString);
        } else if (def.missing().overLimit() == OverLimit.REJECT) {
            assertEquals(
                    List.of("items"), violations.stream().map(Violation::field).toList());
        } else {
            assertEquals(List.of(), violations);
            assertEquals(Score.incomplete(), Scoring.score(def, a.items()));
        }
    }

    @Provide
    Arbitrary<Answers> valid() {
        return Arbitraries.of(BuiltInInstruments.all()).flatMap(def -> {
            int allowed = def.missing().policy() == MissingPolicy.NONE
                    ? 0
                    : def.missing().maxMissing();
            return Combinators.combine(onGrid(def), positions(def, 0, allowed))
                    .as((items, gaps) -> new Answers(def, with(items, gaps, null), Set.of()));
        });
    }

    @Provide
    Arbitrary<Answers> outOfRange() {
        return valid().flatMap(a -> {
            Arbitrary<Set<Integer>> bad = positions(a.def(), 1, a.def().items());
            Arbitrary<Double> outside = Arbitraries.doubles()
                    .between(1e-6, 1000)
                    .ofScale(6)
                    .flatMap(d -> Arbitraries.of(a.def().itemMin() - d, a.def().itemMax() + d));
            return Combinators.combine(bad, outside.list().ofSize(a.def().items()))
                    .as((positions, values) -> {
                        List<Double> items = new ArrayList<>(a.items());
                        positions.forEach(i -> items.set(i, values.get(i)));
                        return new Answers(a.def(), items, positions);
                    });
        });
    }

    @Provide
    Arbitrary<Answers> overMissing() {
        return Arbitraries.of(BuiltInInstruments.all()).flatMap(def -> {
            int firstTooMany = def.missing().policy() == MissingPolicy.NONE
                    ? 1
                    : def.missing().maxMissing() + 1;
            return Combinators.combine(onGrid(def), positions(def, firstTooMany, def.items()))
                    .as((items, gaps) -> new Answers(def, with(items, gaps, null), gaps));
        });
    }

    /** Answers on the instrument's grid, built in decimal so 0.1 steps land on 9.1, not 9.100000000000001. */
    private static Arbitrary<List<Double>> onGrid(InstrumentDefinition def) {
        int steps = (int) Math.round((def.itemMax() - def.itemMin()) / def.itemStep());
        BigDecimal min = BigDecimal.valueOf(def.itemMin());
        BigDecimal step = BigDecimal.valueOf(def.itemStep());
        return Arbitraries.integers()
                .between(0, steps)
                .map(k -> min.add(step.multiply(BigDecimal.valueOf(k))).doubleValue())
                .list()
                .ofSize(def.items());
    }

    private static Arbitrary<Set<Integer>> positions(InstrumentDefinition def, int min, int max) {
        return Arbitraries.integers()
                .between(0, def.items() - 1)
                .set()
                .ofMinSize(min)
                .ofMaxSize(max);
    }

    private static List<Double> with(List<Double> items, Set<Integer> positions, Double value) {
        List<Double> out = new ArrayList<>(items);
        positions.forEach(i -> out.set(i, value));
        return out;
    }
}

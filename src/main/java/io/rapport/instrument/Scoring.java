package io.rapport.instrument;

import io.rapport.error.Violation;
import io.rapport.instrument.InstrumentDefinition.Category;
import io.rapport.instrument.InstrumentDefinition.MissingPolicy;
import io.rapport.instrument.InstrumentDefinition.OverLimit;
import io.rapport.instrument.InstrumentDefinition.TotalRule;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Checks and scores one patient's answers to an instrument. Pure functions of the definition and
 * the answers, so every rule can be tested without a server or a database.
 */
public final class Scoring {

    private Scoring() {}

    /**
     * Every problem with the answers at once, sorted by field.
     *
     * @param items one answer per item in order, null for an unanswered item
     */
    public static List<Violation> validate(InstrumentDefinition def, List<Double> items) {
        List<Violation> out = new ArrayList<>();
        if (items == null || items.size() != def.items()) {
            out.add(new Violation(
                    "items", "must hold " + def.items() + " answers, one per item in order, null for a missing one"));
            return out;
        }
        int missing = 0;
        for (int i = 0; i < items.size(); i++) {
            Double answer = items.get(i);
            String field = "items[" + i + "]";
            if (answer == null) {
                missing++;
                if (def.missing().policy() == MissingPolicy.NONE) {
                    out.add(new Violation(field, "is required: " + def.code() + " allows no missing answers"));
                }
                continue;
            }
            if (!Double.isFinite(answer) || answer < def.itemMin() || answer > def.itemMax()) {
                out.add(new Violation(
                        field,
                        "must be between " + Numbers.format(def.itemMin()) + " and " + Numbers.format(def.itemMax())));
            }
            if (Double.isFinite(answer) && !onGrid(def, answer)) {
                out.add(new Violation(field, gridMessage(def)));
            }
        }
        if (def.missing().policy() != MissingPolicy.NONE
                && missing > def.missing().maxMissing()
                && def.missing().overLimit() == OverLimit.REJECT) {
            int k = def.missing().maxMissing();
            out.add(new Violation("items", "at most " + k + (k == 1 ? " answer" : " answers") + " may be missing"));
        }
        // Reading order: items before items[0], and items[2] before items[10].
        out.sort(Violation.BY_FIELD);
        return out;
    }

    /**
     * Scores answers that {@link #validate} accepted.
     *
     * @throws IllegalArgumentException if it did not, rather than return a total nobody can trust
     */
    public static Score score(InstrumentDefinition def, List<Double> items) {
        List<Violation> violations = validate(def, items);
        if (!violations.isEmpty()) {
            throw new IllegalArgumentException("answers for " + def.code() + " are invalid: " + violations);
        }
        List<BigDecimal> answered = new ArrayList<>();
        for (Double d : items) {
            if (d != null) {
                answered.add(Numbers.exact(d));
            }
        }
        int missing = items.size() - answered.size();
        if (missing > def.missing().maxMissing()) {
            return Score.incomplete();
        }
        List<BigDecimal> values = values(def, items, answered);
        BigDecimal total =
                aggregate(def.total(), values.stream().filter(Objects::nonNull).toList());
        Map<String, Double> subscales = new LinkedHashMap<>();
        if (def.subscales() != null) {
            def.subscales().forEach((name, members) -> {
                List<BigDecimal> part = new ArrayList<>();
                for (int item : members) {
                    if (values.get(item - 1) != null) {
                        part.add(values.get(item - 1));
                    }
                }
                subscales.put(name, part.isEmpty() ? null : Numbers.rounded(aggregate(def.total(), part)));
            });
        }
        double rounded = Numbers.rounded(total);
        BigDecimal lo = Numbers.exact(def.totalMin());
        BigDecimal span = Numbers.exact(def.totalMax()).subtract(lo);
        double normalized = Numbers.rounded(total.subtract(lo).divide(span, Numbers.CONTEXT));
        return new Score(true, rounded, subscales, category(def, rounded), normalized);
    }

    /**
     * Answers by item position as the total sees them: imputed where the policy fills gaps,
     * null where it leaves them out.
     */
    private static List<BigDecimal> values(InstrumentDefinition def, List<Double> items, List<BigDecimal> answered) {
        BigDecimal fill = null;
        if (def.missing().policy() == MissingPolicy.IMPUTE_MEAN && answered.size() < items.size()) {
            fill = mean(answered);
        }
        List<BigDecimal> values = new ArrayList<>(items.size());
        for (Double d : items) {
            values.add(d == null ? fill : Numbers.exact(d));
        }
        return values;
    }

    /** ITEM sums its single value; the definition check keeps ITEM to one-item instruments. */
    private static BigDecimal aggregate(TotalRule rule, List<BigDecimal> values) {
        return rule == TotalRule.MEAN ? mean(values) : sum(values);
    }

    private static BigDecimal sum(List<BigDecimal> values) {
        return values.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    private static BigDecimal mean(List<BigDecimal> values) {
        return sum(values).divide(BigDecimal.valueOf(values.size()), Numbers.CONTEXT);
    }

    private static String category(InstrumentDefinition def, double total) {
        if (def.categories() == null) {
            return null;
        }
        for (Category c : def.categories()) {
            if (total >= c.min() && total <= c.max()) {
                return c.name();
            }
        }
        return null;
    }

    private static boolean onGrid(InstrumentDefinition def, double answer) {
        double steps = (answer - def.itemMin()) / def.itemStep();
        double nearest = def.itemMin() + Math.rint(steps) * def.itemStep();
        return Math.abs(answer - nearest) <= InstrumentDefinition.GRID_TOLERANCE * def.itemStep();
    }

    private static String gridMessage(InstrumentDefinition def) {
        String step = Numbers.format(def.itemStep());
        if (onGridFromZero(def.itemMin(), def.itemStep())) {
            return "must be a multiple of " + step;
        }
        return "must be " + Numbers.format(def.itemMin()) + " plus a multiple of " + step;
    }

    private static boolean onGridFromZero(double value, double step) {
        double steps = value / step;
        return Math.abs(steps - Math.rint(steps)) <= InstrumentDefinition.GRID_TOLERANCE * Math.max(1, Math.abs(steps));
    }
}

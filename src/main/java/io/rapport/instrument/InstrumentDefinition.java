package io.rapport.instrument;

import io.rapport.error.Violation;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A post-visit survey instrument as data: how many items, their scale, how the total is formed
 * and what a missing answer means. The same shape serves the built-ins and the body a clinic posts
 * to register its own instrument.
 *
 * <p>The annotations hold the rules that concern one field; {@link #check()} holds the rules that
 * relate fields to each other. Both must pass before a clinic's instrument is stored.
 *
 * @param clinicId owning clinic; null for a built-in
 * @param itemTexts optional wording, one entry per item; absent for instruments whose wording is
 *     licensed, so only their structure ships with Rapport
 * @param subscales optional subscale name to 1-based item numbers, in the order they are reported
 * @param categories optional named bands of the total, bounds inclusive, first match wins
 * @param defaultCutoff a total below this raises an alert; null leaves it to configuration
 * @param dropAlert raise an alert when the total fell by at least {@code dropThreshold} since the
 *     patient's previous rating with the same provider
 */
public record InstrumentDefinition(
        @Pattern(regexp = CLINIC_ID_PATTERN, message = "must be 1-128 characters of A-Z a-z 0-9 . _ : -")
        String clinicId,

        @NotNull
        @Pattern(
                regexp = CODE_PATTERN,
                message = "must be 1-32 characters of A-Z 0-9 _ -, starting with a letter or digit")
        String code,

        // Primitives the reader requires (a missing one is named, not read as 0): the document must say so.
        @Schema(required = true) @Min(value = 1, message = "must be at least 1")
        int version,

        @NotBlank @Size(max = 200, message = "must be at most 200 characters")
        String name,

        @Schema(required = true)
        @Min(value = 1, message = "must be between 1 and 100")
        @Max(value = 100, message = "must be between 1 and 100")
        int items,

        @Schema(required = true) double itemMin,
        @Schema(required = true) double itemMax,

        @Schema(required = true) @Positive(message = "must be greater than 0")
        double itemStep,

        List<@NotBlank @Size(max = 500, message = "must be at most 500 characters") String> itemTexts,

        @Size(max = 100, message = "must hold at most 100 subscales")
        Map<
                        @NotBlank
                        @Pattern(
                                regexp = SUBSCALE_NAME_PATTERN,
                                message = "must be 1-64 characters of A-Z a-z 0-9, space, . _ -")
                        String,
                        @NotEmpty @Size(max = 100, message = "must list at most 100 items") List<@NotNull Integer>>
                subscales,

        @NotNull TotalRule total,
        @NotNull @Valid MissingRule missing,

        @Size(max = MAX_CATEGORIES, message = "must hold at most 50 bands")
        List<@NotNull @Valid Category> categories,

        Double defaultCutoff,
        @Schema(required = true) boolean dropAlert,
        @Schema(required = true) double dropThreshold) {

    static final String CLINIC_ID_PATTERN = "[A-Za-z0-9._:-]{1,128}";
    static final String CODE_PATTERN = "[A-Z0-9][A-Z0-9_-]{0,31}";
    static final int MAX_CATEGORIES = 50;
    /** A subscale's name is a map key, so it is one an answer may name back. */
    static final String SUBSCALE_NAME_PATTERN = Violation.PLAIN_KEY_PATTERN;

    /**
     * The most steps an item's scale may hold: 0 to 1000 in steps of 0.001. Past it, answers on
     * the grid could not be told from answers off it in floating point (a step of 1e-300 refused
     * every answer, and -1000000 to 1000000 in steps of 0.001 refused 0.001).
     */
    static final double MAX_STEPS = 1_000_000;

    /** Step counts are computed in floating point, so 10 / 0.1 may land a hair off 100. */
    static final double GRID_TOLERANCE = 1e-9;

    /**
     * How close two totals may be and still count as equal, as AlertEvaluator compares them: a
     * drop threshold no larger than this would count two equal totals as a drop.
     */
    public static final double TOTALS_EQUAL_WITHIN = 1e-9;

    public enum TotalRule {
        SUM,
        MEAN,
        /** The value of the only item; for one-item instruments. */
        ITEM
    }

    public enum MissingPolicy {
        /** Every item must be answered. */
        NONE,
        /** Each missing answer counts as the mean of the answered items. */
        IMPUTE_MEAN,
        /** The total is the mean of the answered items; only meaningful with total MEAN. */
        MEAN_OF_ANSWERED
    }

    /** What happens when more answers are missing than {@link MissingRule#maxMissing()} allows. */
    public enum OverLimit {
        /** The rating is refused. */
        REJECT,
        /** The rating is kept as incomplete, without a total. */
        INCOMPLETE
    }

    public record MissingRule(
            @NotNull MissingPolicy policy,
            @Schema(required = true) int maxMissing,
            @NotNull OverLimit overLimit) {}

    public record Category(
            @NotBlank @Size(max = 64, message = "must be at most 64 characters")
            String name,

            @Schema(required = true) double min,
            @Schema(required = true) double max) {}

    public InstrumentDefinition {
        // Built-ins are shared constants, so nothing reachable from a definition may be mutable.
        // Copies keep null elements so that Bean Validation, not a constructor exception, reports them.
        itemTexts = itemTexts == null ? null : Collections.unmodifiableList(new ArrayList<>(itemTexts));
        if (subscales != null) {
            Map<String, List<Integer>> copy = new LinkedHashMap<>();
            subscales.forEach(
                    (k, v) -> copy.put(k, v == null ? null : Collections.unmodifiableList(new ArrayList<>(v))));
            subscales = Collections.unmodifiableMap(copy);
        }
        categories = categories == null ? null : Collections.unmodifiableList(new ArrayList<>(categories));
    }

    /**
     * Equal, and listing its subscales in the same order: a record's maps compare without order,
     * but the order is what answers report subscales in, so a new one is a new definition.
     */
    public boolean sameAs(InstrumentDefinition other) {
        return equals(other)
                && (subscales == null
                        || List.copyOf(subscales.keySet())
                                .equals(List.copyOf(other.subscales().keySet())));
    }

    /**
     * The values, one per subscale name, in the order this definition lists its subscales; names it
     * does not list follow in the order given. Stored scores come back from jsonb, which keeps keys
     * in an order of its own.
     */
    public <T> Map<String, T> inSubscaleOrder(Map<String, T> values) {
        Map<String, T> out = new LinkedHashMap<>();
        if (subscales != null) {
            subscales.keySet().forEach(name -> {
                if (values.containsKey(name)) {
                    out.put(name, values.get(name));
                }
            });
        }
        values.forEach(out::putIfAbsent);
        return out;
    }

    public double totalMin() {
        return total == TotalRule.SUM ? times(items, itemMin) : itemMin;
    }

    public double totalMax() {
        return total == TotalRule.SUM ? times(items, itemMax) : itemMax;
    }

    /** In decimal, or 3 items from 0.1 would start at 0.30000000000000004 and the lowest total fall below it. */
    private static double times(int n, double d) {
        return Double.isFinite(d) ? Numbers.rounded(Numbers.exact(d).multiply(BigDecimal.valueOf(n))) : n * d;
    }

    /**
     * The fields that score an answer, changed since {@code previous}, by name: the items and their
     * range and step, the subscales, the total and missing rules. A stored rating's total, subscales
     * and completeness were computed by them; names, item wording, bands, the cutoff and the drop
     * rule only describe or judge a total.
     */
    public List<String> scaleChangesFrom(InstrumentDefinition previous) {
        List<String> changed = new ArrayList<>();
        if (items != previous.items) {
            changed.add("items");
        }
        if (itemMin != previous.itemMin) {
            changed.add("itemMin");
        }
        if (itemMax != previous.itemMax) {
            changed.add("itemMax");
        }
        if (itemStep != previous.itemStep) {
            changed.add("itemStep");
        }
        if (!subscaleMembers(subscales).equals(subscaleMembers(previous.subscales))) {
            changed.add("subscales");
        }
        if (total != previous.total) {
            changed.add("total");
        }
        if (!Objects.equals(missing, previous.missing)) {
            changed.add("missing");
        }
        return changed;
    }

    /**
     * Each subscale's items in order, as scoring reads them: no subscales and an empty map alike,
     * and a subscale's items in any order (its value is their sum or mean).
     */
    private static Map<String, List<Integer>> subscaleMembers(Map<String, List<Integer>> subscales) {
        Map<String, List<Integer>> out = new HashMap<>();
        if (subscales != null) {
            subscales.forEach((name, items) ->
                    out.put(name, items == null ? null : items.stream().sorted().toList()));
        }
        return out;
    }

    /**
     * Rules between fields, for an instrument a clinic registers. Tolerates the nulls and
     * out-of-range values the annotations report, so both can run on the same body and every
     * problem is reported at once.
     */
    /** Far beyond any survey scale, and small enough that sums of 100 items stay exact. */
    static final double MAX_ITEM_MAGNITUDE = 1_000_000;

    public List<Violation> check() {
        List<Violation> out = new ArrayList<>();
        if (clinicId == null) {
            out.add(new Violation("clinicId", "is required for a clinic's own instrument"));
        }
        boolean scaleUsable = checkScale(out);
        checkItemTexts(out);
        checkSubscales(out);
        if (total == TotalRule.ITEM && items != 1) {
            out.add(new Violation("total", "ITEM needs exactly 1 item, not " + items));
        }
        checkMissing(out);
        if (scaleUsable) {
            checkTotalBounds(out);
        }
        if (!(dropThreshold >= 0) || Double.isInfinite(dropThreshold)) {
            out.add(new Violation("dropThreshold", "must be a number of at least 0"));
        } else if (dropAlert && dropThreshold <= TOTALS_EQUAL_WITHIN) {
            // A drop of at least 0 is every rating after the first: an alert for no drop at all.
            out.add(new Violation(
                    "dropThreshold",
                    "must be more than 0.000000001 when dropAlert is true (totals closer than that count as equal)"));
        }
        return out;
    }

    private boolean checkScale(List<Violation> out) {
        if (!Double.isFinite(itemMin)) {
            out.add(new Violation("itemMin", "must be a finite number"));
        }
        if (!Double.isFinite(itemMax)) {
            out.add(new Violation("itemMax", "must be a finite number"));
        }
        if (!Double.isFinite(itemMin) || !Double.isFinite(itemMax)) {
            return false;
        }
        // Scores are summed exactly in decimal: an enormous scale would overflow to Infinity there.
        if (Math.abs(itemMin) > MAX_ITEM_MAGNITUDE || Math.abs(itemMax) > MAX_ITEM_MAGNITUDE) {
            out.add(new Violation("itemMax", "item values must lie within -1000000 and 1000000"));
            return false;
        }
        if (!(itemMin < itemMax)) {
            out.add(new Violation("itemMax", "must be greater than itemMin (" + Numbers.format(itemMin) + ")"));
            return false;
        }
        if (Double.isInfinite(itemStep)) {
            // 1e400 in JSON reads as Infinity, which @Positive lets by; stored, it could not be read
            // back as a number, and every request about the clinic's instruments failed.
            out.add(new Violation("itemStep", "must be a finite number"));
        } else if (itemStep > 0) {
            double steps = (itemMax - itemMin) / itemStep;
            if (Math.rint(steps) < 1) {
                // A step wider than the scale makes every answer a whole number of steps from itemMin.
                out.add(new Violation(
                        "itemStep", "must be at most itemMax - itemMin (" + Numbers.format(itemMax - itemMin) + ")"));
            } else if (!(steps <= MAX_STEPS)) {
                out.add(new Violation(
                        "itemStep",
                        "must leave at most 1000000 steps between itemMin and itemMax (leaves "
                                + Numbers.format(Math.rint(Math.min(steps, 1e15))) + ")"));
            } else if (Math.abs(steps - Math.rint(steps)) > GRID_TOLERANCE * Math.max(1, steps)) {
                out.add(new Violation(
                        "itemStep",
                        "must divide itemMax - itemMin (" + Numbers.format(itemMax - itemMin) + ") into whole steps"));
            }
        }
        return true;
    }

    private void checkItemTexts(List<Violation> out) {
        if (itemTexts != null && itemTexts.size() != items) {
            out.add(new Violation(
                    "itemTexts",
                    "must hold " + items + " texts, one per item, or be left out (has " + itemTexts.size() + ")"));
        }
    }

    private void checkSubscales(List<Violation> out) {
        if (subscales == null) {
            return;
        }
        subscales.forEach((name, members) -> {
            // A name off the pattern is reported by its annotation, and not repeated back here.
            if (members == null || name == null || !name.matches(SUBSCALE_NAME_PATTERN)) {
                return;
            }
            Set<Integer> seen = new HashSet<>();
            for (int i = 0; i < members.size(); i++) {
                Integer item = members.get(i);
                if (item == null) {
                    continue;
                }
                String field = "subscales." + name + "[" + i + "]";
                if (item < 1 || item > items) {
                    out.add(new Violation(field, "must be an item number between 1 and " + items));
                } else if (!seen.add(item)) {
                    out.add(new Violation(field, "repeats item " + item));
                }
            }
        });
    }

    private void checkMissing(List<Violation> out) {
        if (missing == null) {
            return;
        }
        if (missing.policy() == MissingPolicy.MEAN_OF_ANSWERED && total != null && total != TotalRule.MEAN) {
            out.add(new Violation("missing.policy", "MEAN_OF_ANSWERED needs total MEAN, not " + total));
        }
        if (missing.maxMissing() < 0 || missing.maxMissing() > items - 1) {
            out.add(new Violation("missing.maxMissing", "must be between 0 and " + Math.max(0, items - 1)));
        } else if (missing.policy() == MissingPolicy.NONE && missing.maxMissing() != 0) {
            // NONE refuses every missing answer, so a non-zero allowance would only mislead readers.
            out.add(new Violation("missing.maxMissing", "must be 0 when policy is NONE"));
        }
    }

    private void checkTotalBounds(List<Violation> out) {
        double lo = totalMin();
        double hi = totalMax();
        String range = "must be between " + Numbers.format(lo) + " and " + Numbers.format(hi);
        if (categories != null) {
            for (int i = 0; i < categories.size(); i++) {
                Category c = categories.get(i);
                if (c == null) {
                    continue;
                }
                String prefix = "categories[" + i + "].";
                if (!(c.min() >= lo && c.min() <= hi)) {
                    out.add(new Violation(prefix + "min", range));
                }
                if (!(c.max() >= lo && c.max() <= hi)) {
                    out.add(new Violation(prefix + "max", range));
                }
                if (c.min() > c.max()) {
                    out.add(new Violation(prefix + "max", "must be at least min (" + Numbers.format(c.min()) + ")"));
                }
            }
        }
        checkCategoriesApart(out);
        if (defaultCutoff != null && !(defaultCutoff >= lo && defaultCutoff <= hi)) {
            out.add(new Violation("defaultCutoff", range));
        }
    }
    /**
     * Bands are told apart by name, whatever its case, and never share a total: with first match
     * winning, a total in two bands went silently to the first. A total in no band has no category.
     */
    private void checkCategoriesApart(List<Violation> out) {
        // Pairwise, so only within the size its annotation allows: 25,000 bands made 600 million pairs.
        if (categories == null || categories.size() > MAX_CATEGORIES) {
            return;
        }
        for (int i = 0; i < categories.size(); i++) {
            Category a = categories.get(i);
            for (int j = 0; j < i && a != null; j++) {
                Category b = categories.get(j);
                if (b == null) {
                    continue;
                }
                // Ignoring case, as a summary finds its promoter and detractor bands.
                if (a.name() != null && a.name().equalsIgnoreCase(b.name())) {
                    out.add(new Violation(
                            "categories[" + i + "].name", "repeats the name of categories[" + j + "], ignoring case"));
                }
                if (a.min() <= b.max() && b.min() <= a.max()) {
                    out.add(new Violation("categories[" + i + "]", "shares totals with categories[" + j + "]"));
                }
            }
        }
    }
}

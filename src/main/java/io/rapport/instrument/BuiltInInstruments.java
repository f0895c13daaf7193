package io.rapport.instrument;

import io.rapport.instrument.InstrumentDefinition.Category;
import io.rapport.instrument.InstrumentDefinition.MissingPolicy;
import io.rapport.instrument.InstrumentDefinition.MissingRule;
import io.rapport.instrument.InstrumentDefinition.OverLimit;
import io.rapport.instrument.InstrumentDefinition.TotalRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The instruments every clinic can use without registering anything.
 *
 * <p>SRS, WAI-SR, CARE and NPS are described by item number only: their item wording belongs to
 * its authors, so Rapport ships the scoring structure and leaves the wording to the survey a
 * clinic licenses. RAPPORT-5 is the project's own and carries its texts.
 */
public final class BuiltInInstruments {

    private static final MissingRule NO_MISSING = new MissingRule(MissingPolicy.NONE, 0, OverLimit.REJECT);

    /** Session Rating Scale: four visual-analogue lines scored 0-10 to one decimal. */
    public static final InstrumentDefinition SRS = new InstrumentDefinition(
            null,
            "SRS",
            1,
            "Session Rating Scale",
            4,
            0,
            10,
            0.1,
            null,
            null,
            TotalRule.SUM,
            NO_MISSING,
            null,
            36.0,
            true,
            1.0);

    /** Working Alliance Inventory, short revised: twelve items on three subscales. */
    public static final InstrumentDefinition WAI_SR = new InstrumentDefinition(
            null,
            "WAI-SR",
            1,
            "Working Alliance Inventory - Short Revised",
            12,
            1,
            5,
            1,
            null,
            waiSubscales(),
            TotalRule.SUM,
            NO_MISSING,
            null,
            null,
            false,
            0);

    /**
     * Consultation and Relational Empathy measure. Its scoring guidance lets up to two "does not
     * apply" answers be replaced by the mean of the others; beyond that the total is not formed.
     */
    public static final InstrumentDefinition CARE = new InstrumentDefinition(
            null,
            "CARE",
            1,
            "Consultation and Relational Empathy",
            10,
            1,
            5,
            1,
            null,
            null,
            TotalRule.SUM,
            new MissingRule(MissingPolicy.IMPUTE_MEAN, 2, OverLimit.INCOMPLETE),
            null,
            null,
            false,
            0);

    /** Likelihood to recommend, 0-10; the cutoff of 7 makes every detractor an alert. */
    public static final InstrumentDefinition NPS = new InstrumentDefinition(
            null,
            "NPS",
            1,
            "Likelihood to recommend",
            1,
            0,
            10,
            1,
            null,
            null,
            TotalRule.ITEM,
            NO_MISSING,
            List.of(new Category("detractor", 0, 6), new Category("passive", 7, 8), new Category("promoter", 9, 10)),
            7.0,
            false,
            0);

    /**
     * Rapport's own post-visit pulse, 1 = strongly disagree to 5 = strongly agree. One skipped
     * item still leaves four that say how the visit felt, so the mean of those is used.
     */
    public static final InstrumentDefinition RAPPORT_5 = new InstrumentDefinition(
            null,
            "RAPPORT-5",
            1,
            "Rapport post-visit pulse",
            5,
            1,
            5,
            1,
            List.of(
                    "I felt heard by my clinician today.",
                    "My clinician understood how I was feeling.",
                    "I trust this clinician with my care.",
                    "My background and culture were respected.",
                    "My clinician was present and attentive, not distracted."),
            null,
            TotalRule.MEAN,
            new MissingRule(MissingPolicy.MEAN_OF_ANSWERED, 1, OverLimit.REJECT),
            null,
            3.0,
            false,
            0);

    private static final List<InstrumentDefinition> ALL = List.of(SRS, WAI_SR, CARE, NPS, RAPPORT_5);

    private BuiltInInstruments() {}

    public static List<InstrumentDefinition> all() {
        return ALL;
    }

    public static Optional<InstrumentDefinition> find(String code) {
        return ALL.stream().filter(d -> d.code().equals(code)).findFirst();
    }

    /** The label for clinic-registered instruments on meters. */
    public static final String CUSTOM_LABEL = "custom";

    /**
     * The instrument label on meters: a built-in's code, or "custom" for every clinic-registered
     * one, whose codes are free text and would make the label's cardinality unbounded.
     */
    public static String label(String code) {
        return find(code).isPresent() ? code : CUSTOM_LABEL;
    }

    /** Every value {@link #label} gives: the built-ins' codes and {@value #CUSTOM_LABEL}. */
    public static List<String> labels() {
        List<String> labels = new ArrayList<>();
        ALL.forEach(d -> labels.add(d.code()));
        labels.add(CUSTOM_LABEL);
        return List.copyOf(labels);
    }

    private static Map<String, List<Integer>> waiSubscales() {
        Map<String, List<Integer>> m = new LinkedHashMap<>();
        m.put("Task", List.of(1, 2, 10, 12));
        m.put("Bond", List.of(3, 5, 7, 9));
        m.put("Goal", List.of(4, 6, 8, 11));
        return m;
    }
}

package io.rapport.instrument;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rapport.config.StrictJson;
import io.rapport.error.Violation;
import io.rapport.instrument.InstrumentDefinition.Category;
import io.rapport.instrument.InstrumentDefinition.MissingPolicy;
import io.rapport.instrument.InstrumentDefinition.MissingRule;
import io.rapport.instrument.InstrumentDefinition.OverLimit;
import io.rapport.instrument.InstrumentDefinition.TotalRule;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.junit.jupiter.api.Test;

class InstrumentDefinitionTest {

    @Test
    void badDefinitionReportsEveryProblemAtOnce() {
        Map<String, List<Integer>> subscales = new LinkedHashMap<>();
        subscales.put("Task", List.of(1, 4, 1));
        InstrumentDefinition bad = new InstrumentDefinition(
                "clinic-1",
                "MY-SCALE",
                1,
                "A scale with many mistakes",
                3,
                1,
                5,
                0.3,
                List.of("first", "second"),
                subscales,
                TotalRule.SUM,
                new MissingRule(MissingPolicy.MEAN_OF_ANSWERED, 3, OverLimit.REJECT),
                List.of(new Category("low", 3, 9), new Category("upside-down", 10, 8), new Category("wide", 0, 20)),
                16.0,
                false,
                -1);
        // SUM of 3 items on 1..5 gives totals 3..15
        assertEquals(
                List.of(
                        new Violation("itemStep", "must divide itemMax - itemMin (4) into whole steps"),
                        new Violation("itemTexts", "must hold 3 texts, one per item, or be left out (has 2)"),
                        new Violation("subscales.Task[1]", "must be an item number between 1 and 3"),
                        new Violation("subscales.Task[2]", "repeats item 1"),
                        new Violation("missing.policy", "MEAN_OF_ANSWERED needs total MEAN, not SUM"),
                        new Violation("missing.maxMissing", "must be between 0 and 2"),
                        new Violation("categories[1].max", "must be at least min (10)"),
                        new Violation("categories[2].min", "must be between 3 and 15"),
                        new Violation("categories[2].max", "must be between 3 and 15"),
                        new Violation("categories[2]", "shares totals with categories[0]"),
                        new Violation("categories[2]", "shares totals with categories[1]"),
                        new Violation("defaultCutoff", "must be between 3 and 15"),
                        new Violation("dropThreshold", "must be a number of at least 0")),
                bad.check());
    }

    /** One item on min..max in steps of step, its total the item, with these bands and drop rule. */
    private static InstrumentDefinition scale(
            double min, double max, double step, List<Category> bands, boolean dropAlert, double dropThreshold) {
        return new InstrumentDefinition(
                "clinic-1",
                "ONE",
                1,
                "One item",
                1,
                min,
                max,
                step,
                null,
                null,
                TotalRule.ITEM,
                new MissingRule(MissingPolicy.NONE, 0, OverLimit.REJECT),
                bands,
                null,
                dropAlert,
                dropThreshold);
    }

    /**
     * Definitions that register but cannot work: a grid too fine for floating point to tell an
     * answer on it from one off it, a drop rule that fires without a drop, bands that share a
     * total (first match would take it silently) or a name.
     */
    @Test
    void scalesBandsAndDropsThatCannotWorkAreRefused() {
        String tooFine = "must leave at most 1000000 steps between itemMin and itemMax";
        assertEquals(
                List.of("itemStep"), fields(scale(0, 10, 1e-300, null, false, 0).check()));
        assertEquals(
                List.of(tooFine + " (leaves 2000000000)"),
                messages(scale(-1_000_000, 1_000_000, 0.001, null, false, 0).check()));
        assertEquals(List.of(), scale(0, 1000, 0.001, null, false, 0).check());

        for (double noDrop : new double[] {0, 1e-300, 1e-9}) {
            assertEquals(
                    List.of(new Violation(
                            "dropThreshold",
                            "must be more than 0.000000001 when dropAlert is true"
                                    + " (totals closer than that count as equal)")),
                    scale(0, 10, 1, null, true, noDrop).check(),
                    "dropThreshold " + noDrop);
        }
        assertEquals(List.of(), scale(0, 10, 1, null, true, 0.5).check());
        assertEquals(List.of(), scale(0, 10, 1, null, true, 2e-9).check());

        List<Category> touching = List.of(new Category("low", 0, 5), new Category("high", 5, 10));
        assertEquals(
                List.of(new Violation("categories[1]", "shares totals with categories[0]")),
                scale(0, 10, 1, touching, false, 0).check());
        List<Category> twice = List.of(new Category("low", 0, 4), new Category("LOW", 5, 10));
        assertEquals(
                List.of(new Violation("categories[1].name", "repeats the name of categories[0], ignoring case")),
                scale(0, 10, 1, twice, false, 0).check());
        // Bands are compared in pairs, so only up to the 50 the annotation allows: 5,000 identical
        // bands are refused for their number, not answered with 12.5 million pairs.
        List<Category> many = java.util.Collections.nCopies(5_000, new Category("b", 0, 10));
        InstrumentDefinition crowded = scale(0, 10, 1, many, false, 0);
        assertEquals(List.of(), crowded.check());
        assertEquals(
                Set.of("categories: must hold at most 50 bands"),
                validator().validate(crowded).stream()
                        .map(v -> v.getPropertyPath() + ": " + v.getMessage())
                        .collect(Collectors.toSet()));
        // A gap is allowed: a total in no band has no category.
        List<Category> gap = List.of(new Category("low", 0, 3), new Category("high", 7, 10));
        assertEquals(List.of(), scale(0, 10, 1, gap, false, 0).check());
    }

    private static List<String> fields(List<Violation> violations) {
        return violations.stream().map(Violation::field).toList();
    }

    private static List<String> messages(List<Violation> violations) {
        return violations.stream().map(Violation::message).toList();
    }

    @Test
    void invertedScaleAndMisusedItemRule() {
        InstrumentDefinition bad = new InstrumentDefinition(
                null,
                "TWO",
                1,
                "Two items",
                2,
                5,
                1,
                1,
                null,
                null,
                TotalRule.ITEM,
                new MissingRule(MissingPolicy.NONE, 1, OverLimit.REJECT),
                null,
                null,
                false,
                0);
        assertEquals(
                List.of(
                        new Violation("clinicId", "is required for a clinic's own instrument"),
                        new Violation("itemMax", "must be greater than itemMin (5)"),
                        new Violation("total", "ITEM needs exactly 1 item, not 2"),
                        new Violation("missing.maxMissing", "must be 0 when policy is NONE")),
                bad.check());
    }

    @Test
    void builtInsAreConsistent() {
        for (InstrumentDefinition d : BuiltInInstruments.all()) {
            assertEquals(List.of(), ownedBy("clinic-1", d).check(), d.code());
            assertEquals(Set.of(), validator().validate(d), d.code());
        }
    }

    @Test
    void totalBoundsFollowTheTotalRule() {
        // SRS: 4 * 0 .. 4 * 10; WAI-SR: 12 * 1 .. 12 * 5; RAPPORT-5 MEAN: 1 .. 5; NPS ITEM: 0 .. 10
        assertEquals(0.0, BuiltInInstruments.SRS.totalMin());
        assertEquals(40.0, BuiltInInstruments.SRS.totalMax());
        assertEquals(12.0, BuiltInInstruments.WAI_SR.totalMin());
        assertEquals(60.0, BuiltInInstruments.WAI_SR.totalMax());
        assertEquals(1.0, BuiltInInstruments.RAPPORT_5.totalMin());
        assertEquals(5.0, BuiltInInstruments.RAPPORT_5.totalMax());
        assertEquals(0.0, BuiltInInstruments.NPS.totalMin());
        assertEquals(10.0, BuiltInInstruments.NPS.totalMax());
    }

    @Test
    void builtInsAreFoundByCodeAndOwnedByNoClinic() {
        assertEquals(
                List.of("SRS", "WAI-SR", "CARE", "NPS", "RAPPORT-5"),
                BuiltInInstruments.all().stream()
                        .map(InstrumentDefinition::code)
                        .toList());
        assertTrue(BuiltInInstruments.all().stream().allMatch(d -> d.clinicId() == null));
        assertEquals(
                BuiltInInstruments.WAI_SR, BuiltInInstruments.find("WAI-SR").orElseThrow());
        assertFalse(BuiltInInstruments.find("wai-sr").isPresent());
        assertFalse(BuiltInInstruments.find(null).isPresent());
        assertEquals("clinic-1", ownedBy("clinic-1", BuiltInInstruments.SRS).clinicId());
    }

    /** README's table: SRS 4 x 0-10 step 0.1 summed, every answer; RAPPORT-5 5 x 1-5 averaged. */
    @Test
    void theScaleIsWhatScoresAnAnswer() {
        assertEquals(
                List.of("items", "itemMin", "itemMax", "itemStep", "total", "missing"),
                BuiltInInstruments.RAPPORT_5.scaleChangesFrom(BuiltInInstruments.SRS));
        assertTrue(BuiltInInstruments.WAI_SR
                .scaleChangesFrom(BuiltInInstruments.SRS)
                .contains("subscales"));
        assertTrue(
                BuiltInInstruments.SRS.scaleChangesFrom(BuiltInInstruments.SRS).isEmpty());

        // A subscale is the sum or mean of its items: their order changes nothing, their set does.
        InstrumentDefinition wai = BuiltInInstruments.WAI_SR;
        Map<String, List<Integer>> reordered = new LinkedHashMap<>();
        wai.subscales().forEach((name, items) -> {
            List<Integer> backwards = new java.util.ArrayList<>(items);
            java.util.Collections.reverse(backwards);
            reordered.put(name, backwards);
        });
        assertTrue(withSubscales(wai, reordered).scaleChangesFrom(wai).isEmpty());
        Map<String, List<Integer>> fewer = new LinkedHashMap<>(wai.subscales());
        String first = fewer.keySet().iterator().next();
        fewer.put(first, fewer.get(first).subList(1, fewer.get(first).size()));
        assertEquals(List.of("subscales"), withSubscales(wai, fewer).scaleChangesFrom(wai));
    }

    private static InstrumentDefinition withSubscales(InstrumentDefinition d, Map<String, List<Integer>> subscales) {
        return copyOf(d, d.clinicId(), subscales);
    }

    @Test
    void onlyRapport5ShipsItemWording() {
        for (InstrumentDefinition d : BuiltInInstruments.all()) {
            assertEquals(d == BuiltInInstruments.RAPPORT_5, d.itemTexts() != null, d.code());
        }
    }

    @Test
    void clinicBodyReadsFromStrictJson() throws Exception {
        String json = """
                {"clinicId": "clinic-1", "code": "PULSE-3", "version": 2, "name": "Three-item pulse",
                 "items": 3, "itemMin": 1, "itemMax": 7, "itemStep": 1,
                 "itemTexts": ["a", "b", "c"],
                 "subscales": {"Z": [3], "A": [1, 2]},
                 "total": "MEAN",
                 "missing": {"policy": "MEAN_OF_ANSWERED", "maxMissing": 1, "overLimit": "INCOMPLETE"},
                 "categories": [{"name": "low", "min": 1, "max": 3.5}],
                 "defaultCutoff": 4, "dropAlert": true, "dropThreshold": 1.5}
                """;
        InstrumentDefinition d = strictMapper().readValue(json, InstrumentDefinition.class);
        assertEquals("PULSE-3", d.code());
        assertEquals(7.0, d.itemMax());
        // the order clinics list subscales in is the order they are reported in
        assertEquals(List.of("Z", "A"), List.copyOf(d.subscales().keySet()));
        assertEquals(new MissingRule(MissingPolicy.MEAN_OF_ANSWERED, 1, OverLimit.INCOMPLETE), d.missing());
        assertEquals(4.0, d.defaultCutoff());
        assertEquals(List.of(), d.check());
        assertEquals(Set.of(), validator().validate(d));
    }

    @Test
    void builtInsSurviveAJsonRoundTrip() throws Exception {
        ObjectMapper mapper = strictMapper();
        for (InstrumentDefinition d : BuiltInInstruments.all()) {
            String json = mapper.writeValueAsString(d);
            assertFalse(json.contains("totalMin"), json);
            assertEquals(d, mapper.readValue(json, InstrumentDefinition.class));
        }
    }

    @Test
    void fieldRulesAreAnnotations() {
        Map<String, List<Integer>> subscales = new LinkedHashMap<>();
        subscales.put("", List.of());
        InstrumentDefinition bad = new InstrumentDefinition(
                "clinic 1",
                "lower",
                0,
                "",
                101,
                1,
                5,
                0,
                Arrays.asList("ok", null),
                subscales,
                null,
                null,
                Arrays.asList((Category) null),
                null,
                false,
                0);
        Set<String> paths = validator().validate(bad).stream()
                .map(ConstraintViolation::getPropertyPath)
                .map(Object::toString)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(
                new TreeSet<>(List.of(
                        "clinicId",
                        "code",
                        "version",
                        "name",
                        "items",
                        "itemStep",
                        "itemTexts[1].<list element>",
                        "subscales<K>[].<map key>",
                        "subscales[].<map value>",
                        "total",
                        "missing",
                        "categories[0].<list element>")),
                paths);
    }

    private static InstrumentDefinition ownedBy(String clinicId, InstrumentDefinition d) {
        return copyOf(d, clinicId, d.subscales());
    }

    /** {@code d} with another owner and other subscales, everything else as it is. */
    private static InstrumentDefinition copyOf(
            InstrumentDefinition d, String clinicId, Map<String, List<Integer>> subscales) {
        return new InstrumentDefinition(
                clinicId,
                d.code(),
                d.version(),
                d.name(),
                d.items(),
                d.itemMin(),
                d.itemMax(),
                d.itemStep(),
                d.itemTexts(),
                subscales,
                d.total(),
                d.missing(),
                d.categories(),
                d.defaultCutoff(),
                d.dropAlert(),
                d.dropThreshold());
    }

    private static ObjectMapper strictMapper() {
        ObjectMapper mapper = new ObjectMapper();
        new StrictJson().customize(mapper);
        return mapper;
    }

    private static Validator validator() {
        return Validation.byDefaultProvider()
                .configure()
                .messageInterpolator(new ParameterMessageInterpolator())
                .buildValidatorFactory()
                .getValidator();
    }

    @Test
    void anEnormousScaleIsRefusedBeforeItCanOverflowATotal() {
        // 100 items of up to 1e308 would sum to Infinity and fail every rating scored with it.
        InstrumentDefinition huge = new InstrumentDefinition(
                "clinic-1",
                "HUGE",
                1,
                "Too large",
                100,
                0,
                1e308,
                1e306,
                null,
                Map.of(),
                TotalRule.SUM,
                new MissingRule(MissingPolicy.NONE, 0, OverLimit.REJECT),
                List.of(),
                null,
                false,
                0);
        assertTrue(huge.check().stream().anyMatch(v -> v.field().equals("itemMax")));
    }
}

package io.rapport.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rapport.config.Ids;
import io.rapport.error.JsonProblems;
import io.rapport.error.ProblemException;
import io.rapport.error.Violation;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.hibernate.validator.HibernateValidatorFactory;

/**
 * Reads and validates events. A batch arrives as a JSON array of trees and each item is read on its
 * own, so an unknown field or a wrong type in item 7 rejects item 7, not the whole batch.
 */
@ApplicationScoped
public class EventReader {

    private final ObjectMapper mapper;
    private final Validator validator;

    public EventReader(ObjectMapper mapper, ValidatorFactory validators) {
        this.mapper = mapper;
        // Every property is reachable (config.TraverseAll), so Hibernate Validator's per-validation
        // cache of that answer only costs a map per item: 6 % of a visit batch's request CPU in a
        // flight recording, in its own lookups.
        this.validator = validators
                .unwrap(HibernateValidatorFactory.class)
                .usingContext()
                .enableTraversableResolverResultCache(false)
                .getValidator();
    }

    /** Either a valid event or the violations that keep it out. */
    public record Read<T>(T event, List<Violation> violations) {
        public boolean valid() {
            return violations.isEmpty();
        }
    }

    public JsonNode requireArray(JsonNode body, int maxItems) {
        if (body == null || body.isNull()) {
            throw ProblemException.badParameter("", "the request body must be a JSON array of events");
        }
        if (!body.isArray()) {
            throw ProblemException.badParameter("", "the request body must be a JSON array of events");
        }
        if (body.size() > maxItems) {
            throw ProblemException.tooLarge(
                    "A batch holds at most " + maxItems + " events; this one has " + body.size() + ". Split it.");
        }
        return body;
    }

    /**
     * Reads one item: Jackson errors and Bean Validation violations, then the cross-field rules,
     * all reported together. A wrong type, an unknown field or a missing number does not hide the
     * other broken rules: see {@link #shapeErrors}.
     */
    public <T> Read<T> read(JsonNode node, Class<T> type, Function<T, List<Violation>> crossFieldRules) {
        if (node == null || !node.isObject()) {
            return new Read<>(null, List.of(new Violation("", "must be a JSON object")));
        }
        T event;
        try {
            event = mapper.treeToValue(node, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return new Read<>(null, shapeErrors((ObjectNode) node, type, crossFieldRules));
        }
        return new Read<>(event, validate(event, crossFieldRules));
    }

    /**
     * Every broken rule of an object that Jackson could not map. Jackson stops at the first wrong
     * value, so each field is read on its own: wrong types, unknown fields and missing numbers are
     * named; the fields that did read are then put through Bean Validation, so a bad modality or a
     * missing id is named beside a type error, and so are the event's own rules over the fields
     * that read; none runs when a primitive that did not read stands in, as it would judge the
     * stand-in.
     */
    public <T> List<Violation> shapeErrors(
            ObjectNode node, Class<T> type, Function<T, List<Violation>> crossFieldRules) {
        if (!type.isRecord()) {
            try {
                mapper.treeToValue(node, type);
                return List.of(new Violation("", "could not be read"));
            } catch (JsonProcessingException e) {
                return List.of(JsonProblems.violation(e));
            }
        }
        List<Violation> out = new ArrayList<>();
        Set<String> broken = new HashSet<>();
        // Whether a primitive that did not read stands in as 0 or false, which a rule would judge.
        boolean standIns = false;
        ObjectNode readable = node.deepCopy();
        Map<String, RecordComponent> components = new LinkedHashMap<>();
        for (RecordComponent c : type.getRecordComponents()) {
            components.put(c.getName(), c);
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!components.containsKey(name)) {
                out.add(Violation.unknownField("", name));
                readable.remove(name);
            }
        }
        for (RecordComponent c : components.values()) {
            JsonNode value = node.get(c.getName());
            if (value == null || value.isNull()) {
                if (c.getType().isPrimitive()) {
                    out.add(new Violation(c.getName(), "is required"));
                    broken.add(c.getName());
                    readable.set(c.getName(), standIn(c.getType()));
                    standIns = true;
                }
                continue;
            }
            try (JsonParser p = mapper.treeAsTokens(value)) {
                mapper.readerFor(mapper.constructType(c.getGenericType())).readValue(p);
            } catch (IOException | IllegalArgumentException e) {
                List<Violation> found = nestedShapeErrors(c, value);
                if (found == null) {
                    found = List.of(
                            e instanceof JsonProcessingException j
                                    ? JsonProblems.valueViolation(j)
                                    : new Violation("", "could not be read"));
                }
                found.forEach(v -> out.add(new Violation(join(c.getName(), v.field()), v.message())));
                broken.add(c.getName());
                if (c.getType().isPrimitive()) {
                    readable.set(c.getName(), standIn(c.getType()));
                    standIns = true;
                } else {
                    readable.remove(c.getName());
                }
            }
        }
        T partial;
        try {
            partial = mapper.treeToValue(readable, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            out.sort(Violation.BY_FIELD);
            return List.copyOf(out);
        }
        for (ConstraintViolation<T> cv : validator.validate(partial)) {
            String field = Violation.fieldOf(cv.getPropertyPath());
            if (!broken.contains(root(field))) {
                out.add(new Violation(field, cv.getMessage()));
            }
        }
        if (!standIns) {
            // The event's own rules too: those of one field (a date's range, a rating's answers)
            // are named beside a wrong type elsewhere, as the annotations are. A field that did not
            // read is absent from the partial event, so a rule relating it to another does not run.
            for (Violation v : crossFieldRules.apply(partial)) {
                if (!broken.contains(root(v.field()))) {
                    out.add(v);
                }
            }
        }
        out.sort(Violation.BY_FIELD);
        return List.copyOf(out);
    }

    /**
     * Every broken rule of a record nested in a record (an instrument's {@code missing} rule), or of
     * each record in a list of them (its {@code categories}), read field by field as the outer one
     * is: Jackson names only the first. Null for a component of any other shape, or a value that
     * is not the object or array it should be, whose one violation Jackson's says enough.
     */
    private List<Violation> nestedShapeErrors(RecordComponent c, JsonNode value) {
        if (c.getType().isRecord() && value.isObject()) {
            return shapeErrors((ObjectNode) value, c.getType(), nested -> List.of());
        }
        if (List.class.isAssignableFrom(c.getType())
                && value.isArray()
                && c.getGenericType() instanceof java.lang.reflect.ParameterizedType list
                && list.getActualTypeArguments()[0] instanceof Class<?> element
                && element.isRecord()) {
            List<Violation> out = new ArrayList<>();
            for (int i = 0; i < value.size(); i++) {
                JsonNode item = value.get(i);
                String at = "[" + i + "]";
                if (item == null || item.isNull()) {
                    continue; // the annotations name a null element
                }
                if (!item.isObject()) {
                    out.add(new Violation(at, "must be a JSON object"));
                    continue;
                }
                try {
                    mapper.treeToValue(item, element);
                } catch (JsonProcessingException | IllegalArgumentException e) {
                    shapeErrors((ObjectNode) item, element, nested -> List.of()).forEach(v -> out.add(v.prefixed(at)));
                }
            }
            return out.isEmpty() ? null : out;
        }
        return null;
    }

    /** A placeholder for a primitive that could not be read; its own violation is already recorded. */
    private static JsonNode standIn(Class<?> primitive) {
        return primitive == boolean.class ? BooleanNode.FALSE : IntNode.valueOf(0);
    }

    private static String join(String name, String path) {
        if (path == null || path.isEmpty()) {
            return name;
        }
        return path.startsWith("[") ? name + path : name + "." + path;
    }

    private static String root(String path) {
        int end = path.length();
        for (int i = 0; i < path.length(); i++) {
            char ch = path.charAt(i);
            if (ch == '.' || ch == '[') {
                end = i;
                break;
            }
        }
        return path.substring(0, end);
    }

    public <T> List<Violation> validate(T event, Function<T, List<Violation>> crossFieldRules) {
        if (event == null) {
            return List.of(new Violation("", "the request body is required"));
        }
        List<Violation> out = new ArrayList<>();
        for (ConstraintViolation<T> cv : validator.validate(event)) {
            out.add(new Violation(Violation.fieldOf(cv.getPropertyPath()), cv.getMessage()));
        }
        out.addAll(crossFieldRules.apply(event));
        out.sort(Violation.BY_FIELD);
        return List.copyOf(out);
    }

    /**
     * Reads every item of a batch array on its own: rejected items get their violations (paths
     * prefixed with {@code [i]}), valid ones are turned into what the store takes.
     */
    public <T, N> BatchRead<N> readBatch(
            JsonNode body, int maxItems, Class<T> type, Function<T, List<Violation>> rules, Function<T, N> accepted) {
        JsonNode items = requireArray(body, maxItems);
        BatchRead<N> batch = new BatchRead<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            JsonNode node = items.get(i);
            Read<T> read = read(node, type, rules);
            if (read.valid()) {
                batch.accept(i, accepted.apply(read.event()));
            } else {
                String prefix = "[" + i + "]";
                batch.reject(
                        ItemResult.rejected(
                                i,
                                id(node, "visitId"),
                                read.violations().stream()
                                        .map(v -> v.prefixed(prefix))
                                        .toList()),
                        read.event() == null);
            }
        }
        return batch;
    }

    /**
     * The id in a field, if the item has one an id can be, to label a rejected item in a batch
     * answer. Anything else is left out, as every error body leaves out what it refuses: a field
     * that breaks the id rule may hold anything, a patient's name sent in the wrong field included.
     */
    private static String id(JsonNode node, String field) {
        if (node == null || !node.isObject()) {
            return null;
        }
        JsonNode v = node.get(field);
        return v != null && v.isTextual() && Ids.valid(v.asText()) ? v.asText() : null;
    }
}

package io.rapport.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rapport.error.JsonProblems;
import io.rapport.error.ProblemException;
import io.rapport.error.Violation;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * Reads and validates events. A batch arrives as a JSON array of trees and each item is read on its
 * own, so an unknown field or a wrong type in item 7 rejects item 7, not the whole batch.
 */
@ApplicationScoped
public class EventReader {

    private final ObjectMapper mapper;
    private final Validator validator;

    public EventReader(ObjectMapper mapper, Validator validator) {
        this.mapper = mapper;
        this.validator = validator;
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
     * all reported together.
     */
    public <T> Read<T> read(JsonNode node, Class<T> type, Function<T, List<Violation>> crossFieldRules) {
        if (node == null || !node.isObject()) {
            return new Read<>(null, List.of(new Violation("", "must be a JSON object")));
        }
        T event;
        try {
            event = mapper.treeToValue(node, type);
        } catch (JsonProcessingException e) {
            return new Read<>(null, List.of(JsonProblems.violation(e)));
        } catch (IllegalArgumentException e) {
            return new Read<>(null, List.of(new Violation("", "could not be read")));
        }
        return new Read<>(event, validate(event, crossFieldRules));
    }

    public <T> List<Violation> validate(T event, Function<T, List<Violation>> crossFieldRules) {
        if (event == null) {
            return List.of(new Violation("", "the request body is required"));
        }
        List<Violation> out = new ArrayList<>();
        for (ConstraintViolation<T> cv : validator.validate(event)) {
            out.add(new Violation(cv.getPropertyPath().toString(), cv.getMessage()));
        }
        out.addAll(crossFieldRules.apply(event));
        out.sort(Comparator.comparing(Violation::field).thenComparing(Violation::message));
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
                                text(node, "visitId"),
                                read.violations().stream()
                                        .map(v -> v.prefixed(prefix))
                                        .toList()),
                        read.event() == null);
            }
        }
        return batch;
    }

    /** The text of a string field, if the item has one, to label a rejected item in a batch answer. */
    public static String text(JsonNode node, String field) {
        if (node == null || !node.isObject()) {
            return null;
        }
        JsonNode v = node.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }
}

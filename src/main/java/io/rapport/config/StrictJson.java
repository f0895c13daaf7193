package io.rapport.config;

import com.ethlo.time.ITU;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.NumberDeserializers;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;

/**
 * JSON is read strictly: a platform that sends {@code "900"} or {@code 12.7} for a whole number,
 * or an unknown field, hears about it instead of having the value bent or dropped silently.
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

    /** Last, so these deserializers are registered after Quarkus's Java time module and win over it. */
    @Override
    public int priority() {
        return MINIMUM_PRIORITY;
    }

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.getFactory()
                .setStreamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(Limits.MAX_NESTING_DEPTH)
                        .maxTokenCount(Limits.MAX_TOKENS)
                        .maxStringLength(Limits.MAX_STRING_LENGTH)
                        .maxNameLength(Limits.MAX_STRING_LENGTH)
                        .maxNumberLength(Limits.MAX_NUMBER_LENGTH)
                        .build());
        // A key sent twice leaves it to the reader which value counts; refuse it instead.
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        mapper.registerModule(new SimpleModule("rapport-strict")
                .addDeserializer(String.class, new NoNulStrings())
                .addDeserializer(Double.class, new NumbersOnly(Double.class, null))
                .addDeserializer(double.class, new NumbersOnly(double.class, 0.0))
                .addDeserializer(Instant.class, new TextInstants()));
        for (LogicalType type : new LogicalType[] {LogicalType.Integer, LogicalType.Float, LogicalType.Boolean}) {
            mapper.coercionConfigFor(type).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
            // "" and "  " take a path of their own, which read them as null: a correction sending
            // "connectionDrops": "" wiped the stored value instead of hearing it is not a number.
            mapper.coercionConfigFor(type)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)
                    .setAcceptBlankAsEmpty(false);
        }
        // Jackson reads 1 and 0 as true and false unless told not to.
        mapper.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    }

    /**
     * PostgreSQL text cannot hold U+0000: a NUL in an id reached a query and failed there as a
     * 500. It is refused where JSON is read, as the wrong value it is.
     */
    static final class NoNulStrings extends StringDeserializer {

        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String s = super.deserialize(p, ctxt);
            if (s != null && s.indexOf('\u0000') >= 0) {
                throw InvalidFormatException.from(p, "contains NUL", s, String.class);
            }
            return s;
        }
    }

    /**
     * A decimal only as a JSON number. Jackson reads the strings {@code "NaN"}, {@code "Infinity"}
     * and {@code "-Infinity"} as doubles even with string coercion turned off, so {@code "NaN"}
     * came to the rules as a value, and was answered as out of range at both ends at once. And
     * {@code -0.0} as 0: it passed every "at least 0" rule and was stored, and shown, as -0.0.
     */
    static final class NumbersOnly extends NumberDeserializers.DoubleDeserializer {

        NumbersOnly(Class<Double> type, Double whenNull) {
            super(type, whenNull);
        }

        @Override
        public Double deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.hasToken(JsonToken.VALUE_STRING)) {
                return (Double) ctxt.handleUnexpectedToken(handledType(), p);
            }
            Double value = super.deserialize(p, ctxt);
            return value != null && value == 0 ? 0.0 : value;
        }
    }

    /**
     * Instants only as ISO-8601 text. Jackson's own reader also takes a number as epoch seconds,
     * and a number past the year 1,000,000,000 then failed outside Jackson, as a 500.
     */
    static final class TextInstants extends StdScalarDeserializer<Instant> {

        TextInstants() {
            super(Instant.class);
        }

        @Override
        public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (!p.hasToken(JsonToken.VALUE_STRING)) {
                return (Instant) ctxt.handleUnexpectedToken(Instant.class, p);
            }
            String text = p.getText();
            try {
                return instant(text.trim());
            } catch (DateTimeException e) {
                throw InvalidFormatException.from(p, "not an ISO-8601 instant", text, Instant.class);
            }
        }

        /**
         * What {@link Instant#parse} reads, read by ITU where the text has the shape platforms send
         * (a 'T' between date and time, 'Z' at the end): about 40 ns against 480, and an event
         * holds four. Any other shape, and anything ITU refuses, is left to {@link Instant#parse},
         * whose answer or refusal then stands, so the two readers never disagree on what is valid.
         */
        static Instant instant(String text) {
            if (text.length() >= 20 && text.charAt(10) == 'T' && text.charAt(text.length() - 1) == 'Z') {
                try {
                    return ITU.parseDateTime(text).toInstant();
                } catch (RuntimeException refused) {
                    // Whatever ITU refuses, and however it says so, Instant.parse answers below.
                }
            }
            return Instant.parse(text);
        }
    }
}

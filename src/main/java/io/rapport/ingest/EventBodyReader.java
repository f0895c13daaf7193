package io.rapport.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rapport.audit.Audit;
import io.rapport.error.ProblemException;
import io.rapport.error.Violation;
import io.rapport.security.Caller;
import io.rapport.security.ClinicScope;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.MessageBodyReader;
import jakarta.ws.rs.ext.Provider;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a request body that is one of Rapport's own records (a visit, a rating, an instrument).
 *
 * <p>Jackson's reader stops at the first wrong value, so a body with a type error and three other
 * broken rules was answered with the type error alone. This reader reads the tree field by field
 * ({@link EventReader#read}) and answers every broken rule at once. A body that reads is passed on
 * unchanged, and the service applies its rules as before. Batches arrive as a JSON tree and are
 * read item by item by {@link EventReader#readBatch}, so they are not touched here.
 */
@Provider
@Consumes(MediaType.APPLICATION_JSON)
public class EventBodyReader implements MessageBodyReader<Record> {

    private final ObjectMapper mapper;
    private final EventReader reader;
    private final IngestPipeline pipeline;
    private final ClinicScope caller;
    private final Audit audit;

    public EventBodyReader(
            ObjectMapper mapper, EventReader reader, IngestPipeline pipeline, Caller caller, Audit audit) {
        this.mapper = mapper;
        this.reader = reader;
        this.pipeline = pipeline;
        this.caller = caller;
        this.audit = audit;
    }

    @Override
    public boolean isReadable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return type.isRecord() && type.getPackageName().startsWith("io.rapport.");
    }

    @Override
    public Record readFrom(
            Class<Record> type,
            Type genericType,
            Annotation[] annotations,
            MediaType mediaType,
            MultivaluedMap<String, String> headers,
            InputStream body)
            throws IOException {
        PushbackInputStream in = new PushbackInputStream(body, 1);
        int first = in.read();
        if (first < 0) {
            // No body at all: the resource answers "the request body is required".
            return null;
        }
        in.unread(first);
        JsonNode node = mapper.readTree(in);
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (!node.isObject()) {
            throw ProblemException.unreadable(List.of(new Violation("", "the request body must be a JSON object")));
        }
        try {
            // Bean Validation and the cross-field rules are the service's, with its clock.
            return mapper.treeToValue(node, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            // Refused before its resource could name the clinic the body is for: named here, so that
            // clinic's admin reads the attempt, out of the caller's scope or not.
            if (hasClinicId(type) && node.path("clinicId").isTextual()) {
                audit.clinic(node.get("clinicId").asText());
            }
            // The event kind's own rules too, over the fields that read, as for a batch item.
            throw ProblemException.unreadable(
                    reader.shapeErrors((ObjectNode) node, type, pipeline.rules(type, caller)));
        }
    }

    /** Whether the record names a clinic: a {@code clinicId} in any other body names nothing. */
    private static boolean hasClinicId(Class<?> type) {
        RecordComponent[] components = type.getRecordComponents();
        return components != null
                && Arrays.stream(components).anyMatch(c -> c.getName().equals("clinicId"));
    }
}

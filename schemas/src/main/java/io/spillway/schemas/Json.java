package io.spillway.schemas;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.deser.ResolvableDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/**
 * The one strict JSON mapping every module uses for Spillway messages: unknown fields, nulls for
 * numbers, floats for integers and NaN are errors; instants are ISO-8601 text.
 */
public final class Json {

  /** Deeper documents than this are refused (a guard against stack exhaustion). */
  public static final int MAX_NESTING_DEPTH = 32;

  private static final ObjectMapper MAPPER = newMapper();
  private static final ClassValue<ObjectWriter> WRITERS = new ClassValue<>() {
    @Override
    protected ObjectWriter computeValue(Class<?> type) {
      return MAPPER.writerFor(type);
    }
  };

  private Json() {}

  /** The shared, thread-safe mapper. Do not reconfigure it. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** The value as JSON text, written straight from the value (no intermediate tree). */
  public static String text(Object value) {
    try {
      return writerOf(value).writeValueAsString(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw unwritable(value, e);
    }
  }

  /** The value as UTF-8 JSON bytes, written straight from the value (no String in between). */
  public static byte[] bytes(Object value) {
    byte[] json = JsonBytes.of(value);
    if (json != null) {
      return json;
    }
    try {
      return writerOf(value).writeValueAsBytes(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw unwritable(value, e);
    }
  }

  /**
   * A writer bound to the value's class, its serializer found once: the mapper's own write methods
   * look the serializer up on every call, which cost the workers as much as writing a small value.
   */
  private static ObjectWriter writerOf(Object value) {
    return WRITERS.get(value.getClass());
  }

  private static IllegalArgumentException unwritable(Object value, Exception e) {
    return new IllegalArgumentException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
  }

  private static ObjectMapper newMapper() {
    JsonMapper mapper =
        JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .addModule(
                new SimpleModule("spillway")
                    .addDeserializer(JobEnvelope.class, new EnvelopeDeserializer())
                    .addDeserializer(Instant.class, new IsoInstants.Deserializer())
                    .addSerializer(Instant.class, new IsoInstants.Serializer()))
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();
    mapper
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build());
    return mapper;
  }

  /**
   * Reads an envelope as it streams by, without building a tree of it first (decoding is a good
   * share of a worker's CPU). The payload is decoded straight into its type's record when
   * {@code type} came before it, as the project's own writer puts it; otherwise it is buffered
   * until the type is known. Unknown fields, nulls and wrong types are input errors.
   */
  private static final class EnvelopeDeserializer extends StdDeserializer<JobEnvelope> implements ResolvableDeserializer {

    private static final Set<String> FIELDS = Set.of("jobId", "tenant", "type", "submittedAt", "attempt", "payload");

    // Found once in resolve(): ctx.readValue(parser, type) looks the deserializer up, with an
    // introspection of the type's annotations, on every call (a fifth of decoding, measured).
    private JsonDeserializer<Object> instants;
    private final Map<JobType, JsonDeserializer<Object>> payloads = new EnumMap<>(JobType.class);

    EnvelopeDeserializer() {
      super(JobEnvelope.class);
    }

    @Override
    public void resolve(DeserializationContext ctx) throws JsonMappingException {
      instants = ctx.findRootValueDeserializer(ctx.constructType(Instant.class));
      for (JobType type : JobType.values()) {
        payloads.put(type, ctx.findRootValueDeserializer(ctx.constructType(type.payloadClass())));
      }
    }

    /** Stateless: Jackson may keep it rather than look it up anew (see IsoInstants.Deserializer). */
    @Override
    public boolean isCachable() {
      return true;
    }

    @Override
    public JobEnvelope deserialize(JsonParser parser, DeserializationContext ctx)
        throws IOException {
      if (!parser.isExpectedStartObjectToken()) {
        throw invalid(parser, "a job envelope must be a JSON object");
      }
      String jobId = null;
      String tenant = null;
      JobType type = null;
      Instant submittedAt = null;
      Integer attempt = null;
      JobPayload payload = null;
      TokenBuffer early = null;
      for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
        JsonToken token = parser.nextToken();
        if (token == JsonToken.VALUE_NULL) {
          if (!FIELDS.contains(name)) {
            throw invalid(parser, "unknown field " + name);
          }
          continue; // reported as missing below
        }
        switch (name) {
          case "jobId" -> jobId = text(parser, token);
          case "tenant" -> tenant = text(parser, token);
          case "type" -> type = jobType(parser, token);
          case "submittedAt" -> submittedAt = (Instant) instants.deserialize(parser, ctx);
          case "attempt" -> {
            if (token != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() != JsonParser.NumberType.INT) {
              throw invalid(parser, "attempt must be an integer");
            }
            attempt = parser.getIntValue();
          }
          case "payload" -> {
            if (type != null) {
              payload = (JobPayload) payloads.get(type).deserialize(parser, ctx);
            } else {
              early = ctx.bufferAsCopyOfValue(parser);
            }
          }
          default -> throw invalid(parser, "unknown field " + name);
        }
      }
      if (type == null) {
        throw invalid(parser, "missing field type");
      }
      if (payload == null && early != null) {
        try (JsonParser buffered = early.asParserOnFirstToken()) {
          payload = (JobPayload) payloads.get(type).deserialize(buffered, ctx);
        }
      }
      if (payload == null || attempt == null || jobId == null || tenant == null || submittedAt == null) {
        throw invalid(parser, "missing field " + (payload == null ? "payload" : attempt == null ? "attempt" : jobId == null ? "jobId" : tenant == null ? "tenant" : "submittedAt"));
      }
      try {
        return new JobEnvelope(jobId, tenant, type, submittedAt, attempt, payload);
      } catch (IllegalArgumentException e) {
        throw invalid(parser, e.getMessage());
      }
    }

    private static String text(JsonParser parser, JsonToken token) throws IOException {
      if (token != JsonToken.VALUE_STRING) {
        throw invalid(parser, "jobId and tenant must be strings");
      }
      return parser.getText();
    }

    private static JobType jobType(JsonParser parser, JsonToken token) throws IOException {
      if (token != JsonToken.VALUE_STRING) {
        throw invalid(parser, "type must be a string");
      }
      String name = parser.getText();
      return JobType.fromWireName(name).orElseThrow(() -> invalid(parser, "unknown job type " + name));
    }

    private static MismatchedInputException invalid(JsonParser parser, String message) {
      return MismatchedInputException.from(parser, JobEnvelope.class, message);
    }
  }
}

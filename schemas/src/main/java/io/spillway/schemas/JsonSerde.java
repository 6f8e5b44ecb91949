package io.spillway.schemas;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * JSON serde for one message record, versioned by the {@link SpillwayHeaders#SCHEMA_VERSION}
 * header. {@link #deserializer()} throws on bad input (for Kafka Streams, whose handler routes it);
 * {@link #safeDeserializer()} never throws and is what plain consumers use.
 */
public final class JsonSerde<T> implements Serde<T> {

  /** The schema version this code writes and reads. */
  public static final String SCHEMA_VERSION = "1";

  private static final byte[] VERSION_BYTES = SCHEMA_VERSION.getBytes(StandardCharsets.UTF_8);

  private final Class<T> type;
  // bound to the type once: mapper.readValue(bytes, type) resolves the type on every call
  private final ObjectReader reader;
  private final ObjectWriter writer;

  public JsonSerde(Class<T> type) {
    this.type = type;
    this.reader = Json.mapper().readerFor(type);
    this.writer = Json.mapper().writerFor(type);
  }

  public Class<T> type() {
    return type;
  }

  /** JSON bytes of a value. */
  public byte[] encode(T value) {
    byte[] json = JsonBytes.of(value);
    if (json != null) {
      return json;
    }
    try {
      return writer.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new SerializationException("cannot encode " + type.getSimpleName(), e);
    }
  }

  /** Decodes a value; never throws. A null {@code headers} skips the version check. */
  public DecodeResult<T> decode(byte[] data, Headers headers) {
    if (data == null || data.length == 0) {
      return new DecodeResult.Malformed<>(DecodeResult.Reason.EMPTY, "empty value", data);
    }
    // compared as bytes: every record carries the header, and a String of it for each was a
    // sixth of decoding (async-profiler, bench-workers)
    org.apache.kafka.common.header.Header version = headers == null ? null : headers.lastHeader(SpillwayHeaders.SCHEMA_VERSION);
    if (version != null && version.value() != null && !java.util.Arrays.equals(version.value(), VERSION_BYTES)) {
      return new DecodeResult.Malformed<>(
          DecodeResult.Reason.UNSUPPORTED_VERSION,
          "schema version " + new String(version.value(), StandardCharsets.UTF_8) + " is not supported (expected " + SCHEMA_VERSION + ")",
          data);
    }
    try {
      return new DecodeResult.Ok<>(reader.readValue(data));
    } catch (StreamReadException e) {
      boolean syntax = e.getClass() == com.fasterxml.jackson.core.JsonParseException.class;
      return new DecodeResult.Malformed<>(
          syntax ? DecodeResult.Reason.NOT_JSON : DecodeResult.Reason.INVALID,
          e.getOriginalMessage(),
          data);
    } catch (JacksonException e) {
      return new DecodeResult.Malformed<>(DecodeResult.Reason.INVALID, describe(e), data);
    } catch (java.io.IOException | RuntimeException e) {
      return new DecodeResult.Malformed<>(DecodeResult.Reason.INVALID, String.valueOf(e), data);
    }
  }

  private static String describe(JacksonException e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == e ? e.getOriginalMessage() : root.getMessage();
  }

  @Override
  public Serializer<T> serializer() {
    return new Serializer<>() {
      @Override
      public byte[] serialize(String topic, T data) {
        return data == null ? null : encode(data);
      }

      @Override
      public byte[] serialize(String topic, Headers headers, T data) {
        if (data == null) {
          return null;
        }
        headers.remove(SpillwayHeaders.SCHEMA_VERSION);
        headers.add(SpillwayHeaders.SCHEMA_VERSION, VERSION_BYTES);
        return encode(data);
      }
    };
  }

  @Override
  public Deserializer<T> deserializer() {
    return new Deserializer<>() {
      @Override
      public T deserialize(String topic, byte[] data) {
        return deserialize(topic, null, data);
      }

      @Override
      public T deserialize(String topic, Headers headers, byte[] data) {
        if (data == null) {
          return null; // a tombstone
        }
        return switch (decode(data, headers)) {
          case DecodeResult.Ok<T> ok -> ok.value();
          case DecodeResult.Malformed<T> bad ->
              throw new SerializationException(
                  "malformed " + type.getSimpleName() + " on " + topic + ": " + bad.reason() + ": " + bad.detail());
        };
      }
    };
  }

  /** A deserializer that never throws: malformed values come back as {@link DecodeResult.Malformed}. */
  public Deserializer<DecodeResult<T>> safeDeserializer() {
    return new Deserializer<>() {
      @Override
      public DecodeResult<T> deserialize(String topic, byte[] data) {
        return decode(data, null);
      }

      @Override
      public DecodeResult<T> deserialize(String topic, Headers headers, byte[] data) {
        return decode(data, headers);
      }
    };
  }
}

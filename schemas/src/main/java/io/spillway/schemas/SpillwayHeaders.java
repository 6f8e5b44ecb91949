package io.spillway.schemas;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** The names of the Kafka record headers every Spillway record carries, and small accessors. */
public final class SpillwayHeaders {

  /** The schema version of the value; a reader refuses versions it does not know. */
  public static final String SCHEMA_VERSION = "spillway-schema-version";
  /** The tenant that owns the job. */
  public static final String TENANT = "spillway-tenant";
  /** The W3C trace context of the request that created the record. */
  public static final String TRACEPARENT = "traceparent";
  /** When the ingest API accepted the job, epoch milliseconds in decimal. */
  public static final String SUBMITTED_AT = "spillway-submitted-at";
  /** The attempt this record carries, in decimal. */
  public static final String ATTEMPT = "spillway-attempt";
  /** On {@code jobs.retry}: not to be processed before this time, epoch milliseconds. */
  public static final String NOT_BEFORE = "spillway-not-before";
  /** On retried and dead-lettered records: the topic the record came from. */
  public static final String SOURCE_TOPIC = "spillway-source-topic";
  /** On retried and dead-lettered records: the source partition. */
  public static final String SOURCE_PARTITION = "spillway-source-partition";
  /** On retried and dead-lettered records: the source offset. */
  public static final String SOURCE_OFFSET = "spillway-source-offset";
  /** On dead-lettered records: the error code. */
  public static final String ERROR_CODE = "spillway-error-code";
  /** On dead-lettered records: the error message. */
  public static final String ERROR_MESSAGE = "spillway-error-message";
  /** On dead-lettered records: the exception class of the error. */
  public static final String ERROR_CLASS = "spillway-error-class";
  /** On replayed copies: topic/partition/offset of the original record. */
  public static final String REPLAY_ORIGIN = "spillway-replay-origin";
  /** On redriven records: when and from which DLQ offset they were redriven. */
  public static final String REDRIVE = "spillway-redrive";

  private SpillwayHeaders() {}

  /** The last value of a header as UTF-8 text, if present. */
  public static Optional<String> text(Headers headers, String name) {
    if (headers == null) {
      return Optional.empty();
    }
    Header header = headers.lastHeader(name);
    if (header == null || header.value() == null) {
      return Optional.empty();
    }
    return Optional.of(new String(header.value(), StandardCharsets.UTF_8));
  }

  /** Sets a header to a UTF-8 text value, replacing earlier values. */
  public static void put(Headers headers, String name, String value) {
    headers.remove(name);
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }
}

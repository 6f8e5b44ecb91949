package io.spillway.schemas;

import java.util.Objects;

/**
 * What a consumer gets for a record value: the decoded value, or a typed description of why it
 * could not be decoded. A malformed record never throws out of {@code poll()}; the consumer routes
 * it to the DLQ and moves on.
 */
public sealed interface DecodeResult<T> permits DecodeResult.Ok, DecodeResult.Malformed {

  /** A value that decoded and passed its record's checks. */
  record Ok<T>(T value) implements DecodeResult<T> {
    public Ok {
      Objects.requireNonNull(value, "value");
    }
  }

  /**
   * A value that did not decode.
   *
   * @param reason the class of problem
   * @param detail what exactly was wrong
   * @param raw the undecoded bytes, kept for the DLQ
   */
  record Malformed<T>(Reason reason, String detail, byte[] raw) implements DecodeResult<T> {
    public Malformed {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(detail, "detail");
    }
  }

  /** Why a record could not be decoded. */
  enum Reason {
    /** The value was null or empty. */
    EMPTY,
    /** The bytes are not JSON. */
    NOT_JSON,
    /** JSON, but not the shape or values the record requires. */
    INVALID,
    /** The schema-version header names a version this reader does not know. */
    UNSUPPORTED_VERSION
  }
}

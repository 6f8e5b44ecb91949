package io.spillway.workers.sink;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * Rows in PostgreSQL's binary COPY format, built in memory: a header, then per row its field count
 * and each field as a length and its bytes (length −1 for NULL), then a trailer. Binary values
 * reach the server already parsed — no text escaping on this side, no timestamp parsing on that
 * one. Only the types the job rows need.
 */
final class BinaryCopy {

  private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};
  /** Seconds from the Unix epoch to PostgreSQL's, 2000-01-01T00:00:00Z. */
  private static final long PG_EPOCH_SECONDS = 946_684_800L;
  /** The version byte that leads a jsonb value in binary form. */
  private static final byte JSONB_VERSION = 1;

  private byte[] buf;
  private int size;

  BinaryCopy(int expectedBytes) {
    buf = new byte[Math.max(64, expectedBytes)];
    bytes(SIGNATURE);
    int4(0); // flags
    int4(0); // header extension length
  }

  BinaryCopy row(int fields) {
    int2(fields);
    return this;
  }

  BinaryCopy text(String value) {
    return value == null ? nul() : field(value.getBytes(StandardCharsets.UTF_8));
  }

  /** A jsonb field from UTF-8 JSON text. */
  BinaryCopy jsonb(byte[] json) {
    if (json == null) {
      return nul();
    }
    int4(json.length + 1);
    ensure(1);
    buf[size++] = JSONB_VERSION;
    bytes(json);
    return this;
  }

  BinaryCopy int4Field(int value) {
    int4(4);
    int4(value);
    return this;
  }

  /** A timestamptz field: microseconds since PostgreSQL's epoch (sub-microsecond digits dropped). */
  BinaryCopy timestamptz(Instant instant) {
    if (instant == null) {
      return nul();
    }
    int4(8);
    int8(Math.addExact(Math.multiplyExact(instant.getEpochSecond() - PG_EPOCH_SECONDS, 1_000_000L), instant.getNano() / 1000));
    return this;
  }

  BinaryCopy nul() {
    int4(-1);
    return this;
  }

  /** The whole stream, trailer included; the builder is spent. */
  byte[] finish() {
    int2(-1);
    return buf;
  }

  /** How many bytes of {@link #finish()}'s array are the stream. */
  int size() {
    return size;
  }

  private BinaryCopy field(byte[] value) {
    int4(value.length);
    bytes(value);
    return this;
  }

  private void bytes(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, buf, size, b.length);
    size += b.length;
  }

  private void int2(int v) {
    ensure(2);
    buf[size++] = (byte) (v >>> 8);
    buf[size++] = (byte) v;
  }

  private void int4(int v) {
    ensure(4);
    buf[size++] = (byte) (v >>> 24);
    buf[size++] = (byte) (v >>> 16);
    buf[size++] = (byte) (v >>> 8);
    buf[size++] = (byte) v;
  }

  private void int8(long v) {
    int4((int) (v >>> 32));
    int4((int) v);
  }

  private void ensure(int more) {
    if (size + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
    }
  }
}

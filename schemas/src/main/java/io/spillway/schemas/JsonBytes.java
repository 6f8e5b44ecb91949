package io.spillway.schemas;

import com.fasterxml.jackson.databind.node.POJONode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;

/**
 * Writes the records Spillway writes per job — envelopes, job views, lifecycle events, inputs,
 * results and errors — as UTF-8 JSON bytes by hand, into a buffer its thread keeps: exactly the
 * bytes their Jackson serialisation writes (JsonBytesTest compares them), without the generator,
 * serializer provider and recycled buffers Jackson sets up and releases for each value. A worker
 * writes four to six such values per job, the ingest API one; those set-ups were a third of their
 * JSON writing (async-profiler, bench-workers). Any other value, or a view whose result is not one
 * of the project's records, is left to Jackson ({@link #of} answers null), which writes those
 * records from their accessors: the same JSON, as the tests of each record prove.
 */
final class JsonBytes {

  private static final ThreadLocal<JsonBytes> BUFFERS = ThreadLocal.withInitial(JsonBytes::new);
  private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NULL = "null".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TRUE = "true".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] FALSE = "false".getBytes(StandardCharsets.US_ASCII);

  private static final int KEPT_BYTES = 16 * 1024;

  private byte[] buf = new byte[1024];
  private int length;
  /** No member written yet in the object being written: the next field needs no comma. */
  private boolean first;
  private static final int INSTANT_BITS = 6;
  private final long[] instantSeconds = new long[1 << INSTANT_BITS];
  private final int[] instantNanos = new int[1 << INSTANT_BITS];
  private final byte[][] instantText = new byte[1 << INSTANT_BITS][];

  private JsonBytes() {}

  /** The value's JSON, or null when this writer does not know it and Jackson must write it. */
  static byte[] of(Object value) {
    JsonBytes out = BUFFERS.get();
    out.length = 0;
    boolean written = out.value(value);
    byte[] json = written ? Arrays.copyOf(out.buf, out.length) : null;
    if (out.buf.length > KEPT_BYTES) {
      out.buf = new byte[KEPT_BYTES]; // a rare long message does not stay with the thread
    }
    return json;
  }

  private boolean value(Object value) {
    switch (value) {
      case JobEnvelope e -> envelope(e);
      case LifecycleEvent e -> event(e);
      case PaymentInput p -> payment(p);
      case PredictionInput p -> prediction(p);
      case PaymentResult r -> paymentResult(r);
      case PredictionResult r -> predictionResult(r);
      case JobError e -> error(e);
      case JobView v -> {
        return view(v);
      }
      case POJONode node -> {
        // a result held in a view's tree, as the workers write the jobs row's result column
        return node.getPojo() != null && value(node.getPojo());
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  private void envelope(JobEnvelope e) {
    start();
    field("jobId").string(e.jobId());
    field("tenant").string(e.tenant());
    field("type").string(e.type().wireName());
    field("submittedAt").instant(e.submittedAt());
    field("attempt").number(e.attempt());
    field("payload");
    switch (e.payload()) {
      case PaymentInput p -> payment(p);
      case PredictionInput p -> prediction(p);
    }
    end();
  }

  private void event(LifecycleEvent e) {
    start();
    field("jobId").string(e.jobId());
    field("tenant").string(e.tenant());
    field("type").string(e.type().wireName());
    field("status").string(e.status().name());
    field("attempt").number(e.attempt());
    field("submittedAt").instant(e.submittedAt());
    field("enqueuedAt").instant(e.enqueuedAt());
    field("startedAt").instant(e.startedAt());
    field("completedAt").instant(e.completedAt());
    field("cacheHit").bool(e.cacheHit());
    field("errorCode").string(e.errorCode());
    end();
  }

  /** False when the result is a tree rather than one of the project's result records. */
  private boolean view(JobView v) {
    Object result = v.result() == null ? null : v.result() instanceof POJONode node ? node.getPojo() : v.result();
    if (result != null && !(result instanceof JobResult)) {
      return false;
    }
    start();
    field("jobId").string(v.jobId());
    field("tenant").string(v.tenant());
    field("type").string(v.type().wireName());
    field("status").string(v.status().name());
    field("result");
    switch (result) {
      case null -> raw(NULL);
      case PaymentResult r -> paymentResult(r);
      case PredictionResult r -> predictionResult(r);
      default -> throw new IllegalStateException("unreachable: " + result.getClass());
    }
    field("error");
    if (v.error() == null) {
      raw(NULL);
    } else {
      error(v.error());
    }
    field("submittedAt").instant(v.submittedAt());
    field("startedAt").instant(v.startedAt());
    field("completedAt").instant(v.completedAt());
    field("attempts").number(v.attempts());
    end();
    return true;
  }

  private void payment(PaymentInput p) {
    start();
    field("accountId").string(p.accountId());
    field("amountMinor").number(p.amountMinor());
    field("currency").string(p.currency());
    field("merchantId").string(p.merchantId());
    end();
  }

  private void prediction(PredictionInput p) {
    start();
    field("model").string(p.model());
    field("features");
    start();
    for (Map.Entry<String, Double> feature : p.features().entrySet()) {
      field(feature.getKey()).number(feature.getValue());
    }
    end();
    end();
  }

  private void paymentResult(PaymentResult r) {
    start();
    field("decision").string(r.decision().name());
    field("riskScore").number(r.riskScore());
    field("ledgerEntryId").number(r.ledgerEntryId());
    end();
  }

  private void predictionResult(PredictionResult r) {
    start();
    field("score").number(r.score());
    field("modelVersion").string(r.modelVersion());
    field("cached").bool(r.cached());
    end();
  }

  private void error(JobError e) {
    start();
    field("code").string(e.code());
    field("message").string(e.message());
    end();
  }

  private void start() {
    put((byte) '{');
    first = true;
  }

  private void end() {
    put((byte) '}');
    first = false;
  }

  /** A member's name and colon, after a comma unless it is the object's first. */
  private JsonBytes field(String name) {
    if (!first) {
      put((byte) ',');
    }
    first = false;
    string(name);
    put((byte) ':');
    return this;
  }

  /**
   * A JSON string as Jackson's UTF-8 generator writes it: quote, backslash and control characters
   * escaped (the short forms for \b \t \n \f \r, {@code \}{@code u00XX} for the rest), and each
   * surrogate, paired or not, as its own {@code \}{@code uXXXX}; everything else as UTF-8.
   */
  private void string(String s) {
    if (s == null) {
      raw(NULL);
      return;
    }
    ensure(s.length() * 6 + 2);
    byte[] b = buf;
    int at = length;
    b[at++] = '"';
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
        b[at++] = (byte) c;
      } else if (c < 0x80) {
        at = escape(b, at, c);
      } else if (c < 0x800) {
        b[at++] = (byte) (0xC0 | (c >> 6));
        b[at++] = (byte) (0x80 | (c & 0x3F));
      } else if (Character.isSurrogate(c)) {
        at = unicodeEscape(b, at, c);
      } else {
        b[at++] = (byte) (0xE0 | (c >> 12));
        b[at++] = (byte) (0x80 | ((c >> 6) & 0x3F));
        b[at++] = (byte) (0x80 | (c & 0x3F));
      }
    }
    b[at++] = '"';
    length = at;
  }

  private static int escape(byte[] b, int at, char c) {
    b[at++] = '\\';
    switch (c) {
      case '"' -> b[at++] = '"';
      case '\\' -> b[at++] = '\\';
      case '\b' -> b[at++] = 'b';
      case '\t' -> b[at++] = 't';
      case '\n' -> b[at++] = 'n';
      case '\f' -> b[at++] = 'f';
      case '\r' -> b[at++] = 'r';
      default -> {
        return unicodeEscape(b, at - 1, c);
      }
    }
    return at;
  }

  private static int unicodeEscape(byte[] b, int at, char c) {
    b[at++] = '\\';
    b[at++] = 'u';
    b[at++] = HEX[(c >> 12) & 0xF];
    b[at++] = HEX[(c >> 8) & 0xF];
    b[at++] = HEX[(c >> 4) & 0xF];
    b[at++] = HEX[c & 0xF];
    return at;
  }

  /**
   * An instant as ISO-8601 text, from this thread's cache of recent ones when it is there: a job's
   * submission time goes out in its view and its event, one after the other, and a batch's start and
   * a producer batch's timestamps go out thousands of times.
   */
  private void instant(Instant value) {
    if (value == null) {
      raw(NULL);
      return;
    }
    long seconds = value.getEpochSecond();
    int nanos = value.getNano();
    int slot = (int) (((seconds * 0x9E3779B97F4A7C15L + nanos) * 0x9E3779B97F4A7C15L) >>> (64 - INSTANT_BITS));
    if (instantSeconds[slot] != seconds || instantNanos[slot] != nanos || instantText[slot] == null) {
      instantSeconds[slot] = seconds;
      instantNanos[slot] = nanos;
      instantText[slot] = IsoInstants.formatAscii(value);
    }
    put((byte) '"');
    raw(instantText[slot]); // digits, dashes, colons, T, Z and a point: nothing to escape
    put((byte) '"');
  }

  private void number(long value) {
    ascii(Long.toString(value));
  }

  /** As Jackson writes a finite double ({@link Double#toString}); the records hold no others. */
  private void number(double value) {
    ascii(Double.toString(value));
  }

  private void bool(boolean value) {
    raw(value ? TRUE : FALSE);
  }

  /** Text known to be ASCII: a number's digits, sign, point and exponent. */
  private void ascii(String text) {
    ensure(text.length());
    for (int i = 0; i < text.length(); i++) {
      buf[length++] = (byte) text.charAt(i);
    }
  }

  private void raw(byte[] bytes) {
    ensure(bytes.length);
    System.arraycopy(bytes, 0, buf, length, bytes.length);
    length += bytes.length;
  }

  private void put(byte b) {
    ensure(1);
    buf[length++] = b;
  }

  private void ensure(int more) {
    if (length + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, length + more));
    }
  }
}

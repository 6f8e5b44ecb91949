package io.spillway.ingest.submit;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/** W3C trace context: keep a valid incoming {@code traceparent}, else start a new trace. */
final class Traceparent {

  private static final Pattern VALID = Pattern.compile("00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}");

  private Traceparent() {}

  static String acceptOrStart(String incoming) {
    if (incoming != null && VALID.matcher(incoming).matches()) {
      return incoming;
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    byte[] trace = new byte[16];
    byte[] span = new byte[8];
    random.nextBytes(trace);
    random.nextBytes(span);
    trace[0] |= 1; // never all zeros
    span[0] |= 1;
    return "00-" + HexFormat.of().formatHex(trace) + "-" + HexFormat.of().formatHex(span) + "-01";
  }
}

package io.spillway.streams.topology;

import java.time.Duration;

/**
 * One family of windows: tumbling when {@code advance} equals {@code size}, hopping otherwise.
 *
 * @param label how stats name it ({@code 1s}, {@code 1m})
 * @param store the window store holding its aggregates, for interactive queries
 */
record WindowSpec(String label, String store, long sizeMs, long advanceMs) {

  static WindowSpec tumbling(String label, String store, Duration size) {
    return new WindowSpec(label, store, size.toMillis(), size.toMillis());
  }

  static WindowSpec hopping(String label, String store, Duration size, Duration advance) {
    return new WindowSpec(label, store, size.toMillis(), advance.toMillis());
  }

  /** The start of the last window containing {@code t}. */
  long lastStart(long t) {
    return Math.floorDiv(t, advanceMs) * advanceMs;
  }

  /** The start of the last window that is closed at stream time {@code streamTime}. */
  long lastClosedStart(long streamTime, long graceMs) {
    return lastStart(streamTime - graceMs - sizeMs);
  }

  boolean closed(long start, long streamTime, long graceMs) {
    return start + sizeMs + graceMs <= streamTime;
  }
}

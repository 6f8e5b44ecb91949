package io.spillway.drills.bench;

import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * What the requests sent during one phase of {@link IngestOutageBench} got back: answers by status,
 * latency from each request's intended send time, and the 503s that came without Retry-After.
 * Thread-safe: the sender counts, the HTTP client's threads record.
 */
final class PhaseTally {

  /** Latency above which an answer misses the outage target. */
  static final long SLOW_MILLIS = 50;

  private static final long HIGHEST_MICROS = 60_000_000L;

  private final String name;
  private final long begunNanos;
  private long endedNanos;
  private long sent;
  private long accepted;
  private long unavailable;
  private long transportErrors;
  private long slow;
  private long withoutRetryAfter;
  private final Map<Integer, Long> others = new TreeMap<>();
  private final Histogram latency = new Histogram(HIGHEST_MICROS, 3);

  PhaseTally(String name, long begunNanos) {
    this.name = name;
    this.begunNanos = begunNanos;
  }

  String name() {
    return name;
  }

  synchronized void sent() {
    sent++;
  }

  synchronized void ended(long nanos) {
    endedNanos = nanos;
  }

  /** One answer; status 0 for a transport error (refused, reset, timed out), whose latency counts too. */
  synchronized void record(int status, boolean retryAfter, long latencyNanos) {
    switch (status) {
      case 0 -> transportErrors++;
      case 202 -> accepted++;
      case 503 -> {
        unavailable++;
        if (!retryAfter) {
          withoutRetryAfter++;
        }
      }
      default -> others.merge(status, 1L, Long::sum);
    }
    long micros = latencyNanos / 1000;
    if (micros > SLOW_MILLIS * 1000) {
      slow++;
    }
    latency.recordValue(Math.min(HIGHEST_MICROS, Math.max(1, micros)));
  }

  synchronized Report report() {
    long others = this.others.values().stream().mapToLong(Long::longValue).sum();
    return new Report(name, (endedNanos - begunNanos) / 1e9, sent, accepted, unavailable, others, new TreeMap<>(this.others), transportErrors,
        millis(latency.getValueAtPercentile(50)), millis(latency.getValueAtPercentile(99)), millis(latency.getMaxValue()), slow, withoutRetryAfter);
  }

  private static double millis(long micros) {
    return micros / 1000.0;
  }

  /** One phase's figures; latencies in ms over every answer, transport errors included. */
  record Report(
      String phase,
      double seconds,
      long sent,
      long accepted,
      long unavailable,
      long others,
      Map<Integer, Long> otherStatuses,
      long transportErrors,
      double p50Millis,
      double p99Millis,
      double maxMillis,
      long slow,
      long withoutRetryAfter) {}
}

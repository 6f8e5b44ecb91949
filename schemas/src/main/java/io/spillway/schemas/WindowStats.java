package io.spillway.schemas;

import java.time.Instant;
import java.util.Objects;

/**
 * One closed window of one job type on {@code pipeline.stats}, keyed by {@code type@window@start}.
 *
 * @param type the job type
 * @param window the window length, {@code 1s} or {@code 1m}
 * @param windowStart inclusive
 * @param windowEnd exclusive
 * @param count jobs that reached a terminal state in the window
 * @param succeeded of those, SUCCEEDED
 * @param failed of those, FAILED
 * @param deadLettered of those, DEAD_LETTERED
 * @param throughputPerSecond count divided by the window length
 * @param errorRate (failed + dead-lettered) / count, 0 when empty
 * @param queueWait enqueued → started, in milliseconds
 * @param processing started → completed, in milliseconds
 * @param endToEnd submitted → completed, in milliseconds
 */
public record WindowStats(
    JobType type,
    String window,
    Instant windowStart,
    Instant windowEnd,
    long count,
    long succeeded,
    long failed,
    long deadLettered,
    double throughputPerSecond,
    double errorRate,
    Latency queueWait,
    Latency processing,
    Latency endToEnd) {

  public WindowStats {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(windowStart, "windowStart");
    Objects.requireNonNull(windowEnd, "windowEnd");
  }

  /** Percentiles of one latency, in milliseconds, from a mergeable histogram (never averaged). */
  public record Latency(double p50, double p90, double p95, double p99, double p999, double max) {}
}

package io.spillway.cli.load;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Everything a load test measures: the latency histogram of the whole run (µs), one per second
 * (for the over-time chart), answers by status and failures by cause. Thread-safe.
 */
final class LoadRecorder {

  static final long HIGHEST_MICROS = 3_600_000_000L;

  private final Recorder interval = new Recorder(HIGHEST_MICROS, 3);
  private final Histogram total = new Histogram(HIGHEST_MICROS, 3);
  private final TreeMap<Long, Histogram> perSecond = new TreeMap<>();
  private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
  private final Recorder lateness = new Recorder(HIGHEST_MICROS, 3);
  private final Histogram latenessTotal = new Histogram(HIGHEST_MICROS, 3);
  private final LongAdder sent = new LongAdder();
  private final LongAdder completed = new LongAdder();

  void sent() {
    sent.increment();
  }

  /**
   * How late the generator took up a request that fell due (open loop): its own share of that
   * request's latency, which runs from the intended send time — its millisecond tick, and any time
   * its thread did not run. A wait for a free connection is not in it: that is the server's.
   */
  void dueLate(long micros) {
    lateness.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, micros)));
  }

  /** Every request's {@link #dueLate lateness} so far (µs). */
  synchronized Histogram lateness() {
    latenessTotal.add(lateness.getIntervalHistogram());
    return latenessTotal.copy();
  }

  /** One answer: its latency and what it was ("202", "429", "timeout", "connect" …). */
  void record(long latencyMicros, String outcome) {
    interval.recordValue(Math.min(HIGHEST_MICROS, Math.max(1, latencyMicros)));
    outcomes.computeIfAbsent(outcome, o -> new LongAdder()).increment();
    completed.increment();
  }

  /** Closes the current second: folds its histogram into the totals and returns it. */
  synchronized Histogram tick(long second) {
    Histogram h = interval.getIntervalHistogram();
    total.add(h);
    perSecond.put(second, h);
    return h;
  }

  synchronized Histogram total() {
    return total.copy();
  }

  synchronized TreeMap<Long, Histogram> perSecond() {
    return new TreeMap<>(perSecond);
  }

  Map<String, Long> outcomes() {
    Map<String, Long> copy = new TreeMap<>();
    outcomes.forEach((k, v) -> copy.put(k, v.sum()));
    return copy;
  }

  long sentCount() {
    return sent.sum();
  }

  long completedCount() {
    return completed.sum();
  }
}

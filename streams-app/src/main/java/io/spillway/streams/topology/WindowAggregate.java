package io.spillway.streams.topology;

import io.spillway.schemas.JobType;
import io.spillway.schemas.LifecycleEvent;
import io.spillway.schemas.WindowStats;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import org.HdrHistogram.Histogram;

/**
 * The running state of one window: outcome counts and three latency histograms (microseconds,
 * three significant digits, so every percentile is within 0.1% of the exact value). Histograms
 * merge exactly, which is what lets percentiles of windows be computed without averaging.
 */
public final class WindowAggregate {

  /** Latencies above an hour are clamped: nothing a job pipeline should ever show. */
  static final long HIGHEST_MICROS = Duration.ofHours(1).toNanos() / 1000;

  long count;
  long succeeded;
  long failed;
  long deadLettered;
  final Histogram queueWait;
  final Histogram processing;
  final Histogram endToEnd;

  public WindowAggregate() {
    this(newHistogram(), newHistogram(), newHistogram());
  }

  WindowAggregate(Histogram queueWait, Histogram processing, Histogram endToEnd) {
    this.queueWait = queueWait;
    this.processing = processing;
    this.endToEnd = endToEnd;
  }

  static Histogram newHistogram() {
    return new Histogram(3); // grows with the largest value recorded (clamped at HIGHEST_MICROS)
  }

  /** Adds a terminal event; other events are ignored. */
  public WindowAggregate add(LifecycleEvent event) {
    switch (event.status()) {
      case SUCCEEDED -> succeeded++;
      case FAILED -> failed++;
      case DEAD_LETTERED -> deadLettered++;
      default -> {
        return this;
      }
    }
    count++;
    record(queueWait, event.enqueuedAt(), event.startedAt());
    record(processing, event.startedAt(), event.completedAt());
    record(endToEnd, event.submittedAt(), event.completedAt());
    return this;
  }

  private static void record(Histogram histogram, Instant from, Instant to) {
    if (from != null && to != null) {
      long micros = (to.getEpochSecond() - from.getEpochSecond()) * 1_000_000 + (to.getNano() - from.getNano()) / 1000;
      histogram.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, micros)));
    }
  }

  /** Adds another aggregate's counts and histograms to this one. */
  WindowAggregate merge(WindowAggregate other) {
    count += other.count;
    succeeded += other.succeeded;
    failed += other.failed;
    deadLettered += other.deadLettered;
    queueWait.add(other.queueWait);
    processing.add(other.processing);
    endToEnd.add(other.endToEnd);
    return this;
  }

  public WindowStats toStats(JobType type, String window, Instant start, Instant end) {
    double seconds = Duration.between(start, end).toMillis() / 1000.0;
    return new WindowStats(
        type, window, start, end, count, succeeded, failed, deadLettered,
        count / seconds, count == 0 ? 0 : (double) (failed + deadLettered) / count,
        latency(queueWait), latency(processing), latency(endToEnd));
  }

  static WindowStats.Latency latency(Histogram h) {
    if (h.getTotalCount() == 0) {
      return new WindowStats.Latency(0, 0, 0, 0, 0, 0);
    }
    return new WindowStats.Latency(ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(95)),
        ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()));
  }

  private static double ms(long micros) {
    return micros / 1000.0;
  }

  /**
   * The store encoding: counts, then each histogram in HdrHistogram's uncompressed V2 form, which
   * already run-length encodes empty buckets — compact, and an order of magnitude faster to write
   * and read than the deflated form.
   */
  byte[] encode() {
    byte[] q = encoded(queueWait);
    byte[] p = encoded(processing);
    byte[] e = encoded(endToEnd);
    ByteBuffer out = ByteBuffer.allocate(32 + 12 + q.length + p.length + e.length);
    out.putLong(count).putLong(succeeded).putLong(failed).putLong(deadLettered);
    for (byte[] b : new byte[][] {q, p, e}) {
      out.putInt(b.length).put(b);
    }
    return out.array();
  }

  static WindowAggregate decode(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    long count = in.getLong();
    long succeeded = in.getLong();
    long failed = in.getLong();
    long dead = in.getLong();
    Histogram[] h = new Histogram[3];
    for (int i = 0; i < 3; i++) {
      int length = in.getInt();
      byte[] encoded = new byte[length];
      in.get(encoded);
      h[i] = Histogram.decodeFromByteBuffer(ByteBuffer.wrap(encoded), 2);
      h[i].setAutoResize(true);
    }
    WindowAggregate agg = new WindowAggregate(h[0], h[1], h[2]);
    agg.count = count;
    agg.succeeded = succeeded;
    agg.failed = failed;
    agg.deadLettered = dead;
    return agg;
  }

  private static byte[] encoded(Histogram h) {
    ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int length = h.encodeIntoByteBuffer(buffer);
    return java.util.Arrays.copyOf(buffer.array(), length);
  }
}

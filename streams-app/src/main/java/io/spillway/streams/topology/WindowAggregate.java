package io.spillway.streams.topology;

import io.spillway.schemas.JobType;
import io.spillway.schemas.LifecycleEvent;
import io.spillway.schemas.WindowStats;
import java.io.ByteArrayOutputStream;
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

  /**
   * This aggregate's recorded values, for merging into several windows: one scan of each histogram
   * here, then each window takes only the recorded values instead of scanning a whole histogram.
   */
  Recorded recorded() {
    return new Recorded(count, succeeded, failed, deadLettered, Recorded.of(queueWait), Recorded.of(processing), Recorded.of(endToEnd));
  }

  /** Adds recorded values of another aggregate; the same result as merging it. */
  WindowAggregate merge(Recorded other) {
    count += other.count();
    succeeded += other.succeeded();
    failed += other.failed();
    deadLettered += other.deadLettered();
    Recorded.addTo(other.queueWait(), queueWait);
    Recorded.addTo(other.processing(), processing);
    Recorded.addTo(other.endToEnd(), endToEnd);
    return this;
  }

  /**
   * An aggregate's counts and, per histogram, its non-empty buckets as pairs of a value in the
   * bucket and the bucket's count ({@code [value0, count0, value1, count1, …]}).
   */
  record Recorded(long count, long succeeded, long failed, long deadLettered, long[] queueWait, long[] processing, long[] endToEnd) {

    private static long[] of(Histogram h) {
      long[] pairs = new long[16];
      int n = 0;
      for (var v : h.recordedValues()) {
        if (n == pairs.length) {
          pairs = java.util.Arrays.copyOf(pairs, n * 2);
        }
        pairs[n++] = v.getValueIteratedTo();
        pairs[n++] = v.getCountAtValueIteratedTo();
      }
      return java.util.Arrays.copyOf(pairs, n);
    }

    private static void addTo(long[] pairs, Histogram h) {
      for (int i = 0; i < pairs.length; i += 2) {
        h.recordValueWithCount(pairs[i], pairs[i + 1]);
      }
    }

    /**
     * The wire form between the sampling and the windowing step: the four counts, then per
     * histogram the number of buckets and each bucket's value (as the distance from the previous
     * one) and count, all as unsigned LEB128 varints — a few bytes per non-empty bucket.
     */
    void writeTo(ByteArrayOutputStream out) {
      for (long v : new long[] {count, succeeded, failed, deadLettered}) {
        varint(out, v);
      }
      for (long[] pairs : new long[][] {queueWait, processing, endToEnd}) {
        varint(out, pairs.length / 2);
        long previous = 0;
        for (int i = 0; i < pairs.length; i += 2) {
          varint(out, pairs[i] - previous);
          varint(out, pairs[i + 1]);
          previous = pairs[i];
        }
      }
    }

    static Recorded readFrom(ByteBuffer in) {
      long count = varint(in);
      long succeeded = varint(in);
      long failed = varint(in);
      long dead = varint(in);
      long[][] histograms = new long[3][];
      for (int h = 0; h < 3; h++) {
        int buckets = Math.toIntExact(varint(in));
        if (buckets < 0 || buckets > in.remaining()) {
          throw new IllegalArgumentException("a recorded histogram cannot have " + buckets + " buckets in " + in.remaining() + " bytes");
        }
        long[] pairs = new long[buckets * 2];
        long value = 0;
        for (int i = 0; i < pairs.length; i += 2) {
          value += varint(in);
          pairs[i] = value;
          pairs[i + 1] = varint(in);
        }
        histograms[h] = pairs;
      }
      return new Recorded(count, succeeded, failed, dead, histograms[0], histograms[1], histograms[2]);
    }

    private static void varint(ByteArrayOutputStream out, long v) {
      while ((v & ~0x7FL) != 0) {
        out.write((int) ((v & 0x7F) | 0x80));
        v >>>= 7;
      }
      out.write((int) v);
    }

    private static long varint(ByteBuffer in) {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        byte b = in.get();
        v |= (long) (b & 0x7F) << shift;
        if (b >= 0) {
          return v;
        }
      }
      throw new IllegalArgumentException("a varint longer than 64 bits");
    }
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

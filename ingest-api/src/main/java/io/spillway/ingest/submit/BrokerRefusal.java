package io.spillway.ingest.submit;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the brokers refuse jobs while still connected: the producer retried (its own
 * {@code record-retry-total} rose) since the last acknowledgement, and nothing has been
 * acknowledged for {@link #QUIET_MILLIS} ms. A
 * broker in controlled shutdown gives up leadership of its partitions first and closes its
 * connections only 50-100 ms later; in between it answers every produce NOT_LEADER_OR_FOLLOWER,
 * the producer retries, and jobs would wait for the lost connection ({@link BrokerLink}) to be
 * answered. Seen here, they are answered 503 at once ({@code onRefusing}) and new jobs are refused
 * until the broker acknowledges again, or for {@link #HOLD_MILLIS} ms, after which jobs are tried
 * again (and refused again if the broker still refuses).
 *
 * <p>Like {@link BrokerLink}, it speaks only when no broker acknowledges anything: when the leader
 * of one partition moves in a cluster, the other partitions' acknowledgements go on.
 */
final class BrokerRefusal {

  private static final Logger log = LoggerFactory.getLogger(BrokerRefusal.class);
  static final long QUIET_MILLIS = 10;
  static final long HOLD_MILLIS = 1_000;
  private static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(QUIET_MILLIS);
  private static final long HOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(HOLD_MILLIS);

  private final DoubleSupplier retries;
  private final LongSupplier lastAckNanos;
  private final Runnable onRefusing;
  private double seenRetries = Double.NaN;
  /** Whether the producer retried since the last acknowledgement (sampled at {@code retriedAtNanos}). */
  private boolean retried;
  private long retriedAtNanos;
  private volatile boolean refusing;
  private long refusingSinceNanos;

  /**
   * @param retries how many times the producer has retried a batch so far
   * @param lastAckNanos when the broker last acknowledged anything ({@link System#nanoTime()})
   * @param onRefusing run on the sampling thread when the brokers start refusing
   */
  BrokerRefusal(DoubleSupplier retries, LongSupplier lastAckNanos, MeterRegistry meters, Runnable onRefusing) {
    this.retries = retries;
    this.lastAckNanos = lastAckNanos;
    this.onRefusing = onRefusing;
    meters.gauge("spillway.ingest.kafka.refusing", this, refusal -> refusal.refusing ? 1 : 0);
  }

  /** Watches the producer's own {@code record-retry-total} metric. */
  static BrokerRefusal of(Producer<?, ?> producer, LongSupplier lastAckNanos, MeterRegistry meters, Runnable onRefusing) {
    return new BrokerRefusal(ProducerMetric.of(producer, "record-retry-total"), lastAckNanos, meters, onRefusing);
  }

  /** True while the brokers refuse jobs: new ones are answered 503 at once. */
  boolean refusing() {
    return refusing;
  }

  /** One look; the owner calls it every few milliseconds, from one thread. */
  void sample(long nowNanos) {
    double total = retries.getAsDouble();
    if (total > seenRetries) { // false on the first look (NaN)
      retried = true;
      retriedAtNanos = nowNanos;
    }
    seenRetries = total;
    long lastAck = lastAckNanos.getAsLong();
    if (retried && lastAck - retriedAtNanos > 0) {
      retried = false; // acknowledged since: the retries went through
    }
    if (refusing && lastAck - refusingSinceNanos > 0) {
      refusing = false;
      log.info("Kafka acknowledges again: accepting jobs");
    } else if (refusing && nowNanos - refusingSinceNanos >= HOLD_NANOS) {
      refusing = false;
      retried = false; // jobs are tried again; only a new retry refuses them again
      log.info("Trying Kafka again after {} ms of refusals", HOLD_MILLIS);
    }
    // The retries may all come at once, while other partitions' acknowledgements are still fresh,
    // and then stop while the producer waits for new metadata: it is the silence after a retry that
    // counts, however many looks later it reaches the quiet time.
    if (!refusing && retried && nowNanos - lastAck >= QUIET_NANOS) {
      refusing = true;
      refusingSinceNanos = nowNanos;
      log.warn("Kafka refuses jobs (the producer retries and nothing was acknowledged for {} ms): answering 503 until it acknowledges again",
          TimeUnit.NANOSECONDS.toMillis(nowNanos - lastAck));
      onRefusing.run();
    }
  }
}

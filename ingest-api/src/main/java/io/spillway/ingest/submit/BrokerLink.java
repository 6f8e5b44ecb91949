package io.spillway.ingest.submit;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the producer holds a connection to a broker, sampled every few milliseconds from its own
 * {@code connection-count} metric. A stopped or crashed broker closes its sockets, the producer's
 * network thread sees that at once, and so the API refuses new jobs (503) within milliseconds
 * instead of leaving them waiting for an acknowledgement that cannot come; jobs already waiting
 * are told at once too ({@code onLost}). A connection must hold for {@link #HOLD_MILLIS} before
 * jobs are taken again: a refused reconnect attempt shows as a connection for an instant, and a
 * broker still starting up accepts connections and drops them again for a while.
 *
 * <p>This only says something when every broker is gone; a partial outage (one leader of many) is
 * caught by {@link JobProducer}'s stall check. The producer must not close idle connections by
 * itself ({@code connections.max.idle.ms=-1}) and must refresh metadata often enough to reconnect
 * on its own while no job is sent ({@code metadata.max.age.ms}), both set by {@link JobProducer}.
 */
final class BrokerLink {

  private static final Logger log = LoggerFactory.getLogger(BrokerLink.class);
  static final long SAMPLE_MILLIS = 5;
  static final long HOLD_MILLIS = 200;

  private final DoubleSupplier connections;
  private final Runnable onLost;
  private volatile boolean connected;
  /** Consecutive samples that saw a connection. */
  private long seenSamples;
  private long lostAtNanos = System.nanoTime();

  /**
   * @param connections how many broker connections the producer holds now
   * @param onLost run on the sampling thread when the last connection is lost
   */
  BrokerLink(DoubleSupplier connections, MeterRegistry meters, Runnable onLost) {
    this.connections = connections;
    this.onLost = onLost;
    meters.gauge("spillway.ingest.kafka.connected", this, link -> link.connected ? 1 : 0);
  }

  /** Watches the producer's own {@code connection-count} metric. */
  static BrokerLink of(Producer<?, ?> producer, MeterRegistry meters, Runnable onLost) {
    return new BrokerLink(ProducerMetric.of(producer, "connection-count"), meters, onLost);
  }

  /** False from the moment the producer lost its last broker connection until it has one again. */
  boolean connected() {
    return connected;
  }

  /** One look at the connections; the owner calls it every {@link #SAMPLE_MILLIS} ms, from one thread. */
  void sample() {
    boolean seen = connections.getAsDouble() > 0;
    seenSamples = seen ? seenSamples + 1 : 0;
    if (connected && !seen) {
      connected = false;
      lostAtNanos = System.nanoTime();
      log.warn("Kafka connection lost: refusing new jobs (503) until a broker answers again");
      onLost.run();
    } else if (!connected && seenSamples * SAMPLE_MILLIS >= HOLD_MILLIS) {
      connected = true;
      log.info("Kafka connected after {} ms without a connection: accepting jobs", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lostAtNanos));
    }
  }
}

package io.spillway.ingest.submit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.spillway.schemas.JobEnvelope;
import io.spillway.schemas.SpillwayHeaders;
import io.spillway.schemas.Topic;
import io.spillway.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produces jobs with acks=all and the idempotent producer, never blocking the caller: a full
 * buffer, a bound of in-flight produces or a broker without metadata fail at once, so the API can
 * answer 503 instead of hanging. Owns the producer; {@link #close(Duration)} flushes it.
 */
public final class JobProducer {

  private static final Logger log = LoggerFactory.getLogger(JobProducer.class);
  private static final byte[] FIRST_ATTEMPT = "1".getBytes(StandardCharsets.US_ASCII);

  /** Why a produce was refused before it was tried. */
  public static final class Refused extends RuntimeException {
    private final String reason;

    Refused(String reason, String message) {
      super(message, null, false, false);
      this.reason = reason;
    }

    /** A metric tag: {@code inflight}, {@code buffer} or {@code kafka}. */
    public String reason() {
      return reason;
    }
  }

  /**
   * Kafka became unavailable (the connection lost, or the brokers refusing) while the job awaited
   * its acknowledgement: every such job is answered at once, and logged once, by JobProducer.
   */
  static final class KafkaUnavailable extends RuntimeException {
    KafkaUnavailable(String message) {
      super(message, null, false, false);
    }
  }

  private final KafkaProducer<String, byte[]> producer;
  private final BrokerLink link;
  /** Whether the connected brokers refuse jobs (a broker in controlled shutdown, say). */
  private final BrokerRefusal refusal;
  private final Topics topics;
  private final int maxInFlight;
  private final AtomicInteger inFlight = new AtomicInteger();
  /** The acknowledgements still awaited: failed when overdue, and at once when the broker connection is lost. */
  private final PendingAcks pending;
  /** Samples the broker link and sweeps overdue acknowledgements, every few milliseconds. */
  private final ScheduledExecutorService watch =
      Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("kafka-ack-watch").factory());
  private final Timer produceLatency;
  /** The producer's own metrics (batch size, queue time, request latency, buffer left) on /metrics. */
  private final KafkaClientMetrics clientMetrics;
  /** When the broker last acknowledged anything; with produces pending long after it, Kafka is down. */
  private volatile long lastAckNanos = System.nanoTime();
  private volatile long unackedSinceNanos = 0;
  /** Whether the broker was ever seen: topic metadata fetched at start, or an acknowledgement since. */
  private volatile boolean reached;
  /** When a produce last failed, 0 if never; a recent failure with no acknowledgement since means not ready. */
  private volatile long lastErrorNanos;
  /** When a job was last refused or answered 503, 0 if never: shedding, so not ready for a while. */
  private volatile long lastShedNanos;

  /**
   * @param ackTimeout how long a send waits for the broker's acknowledgement before it fails with
   *     {@link #isOverdue(Throwable) an overdue error}
   * @param linger how long a partition's batch gathers jobs before it is sent
   */
  public JobProducer(String bootstrap, Topics topics, int maxInFlight, Duration ackTimeout, Duration linger, MeterRegistry meters) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    // accepted means durable: the leader and every in-sync replica have the record
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    // retries never duplicate or reorder a record
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    // send() must never block an event loop: no waiting for metadata or buffer space
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 0);
    // batch the many small records of a surge into few requests (one request per broker carries
    // every partition's batch). Kafka's default 5 ms linger: against 2 ms, the broker spends a
    // fifth to a third less CPU per job and the API a few percent less (fewer, fuller batches and
    // requests), for about 3 ms more to a 202 at moderate load. Batches of Kafka's default 16 KiB:
    // over 12 partitions a batch holds a few KiB even at 75,000 jobs/s, and the producer cycles its
    // pooled batch buffers, so smaller ones stay in cache — measured in turns against 128 KiB, 3%
    // more accepted jobs/s
    props.put(ProducerConfig.LINGER_MS_CONFIG, (int) linger.toMillis());
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 16 * 1024);
    // no compression: keyed over 12 partitions with a 5 ms linger, a batch holds only a few records
    // at the rates that matter for latency, so a codec saves little, while lz4 allocates 128 KiB of
    // buffers per batch — measured at 20,000 jobs/s: two thirds of all allocation, 3x the young
    // collections and ~10% of the API's CPU (and 7% of closed-loop throughput). The broker can
    // still compress at rest (topic compression.type) if disk matters more than its CPU.
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
    // room for a surge's backlog while the broker catches up; when full, 503 at once
    props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024);
    // a record not acknowledged within this is reported failed (the client got 503 long before)
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    // a lost broker is seen by its connections closing (BrokerLink): never close one for idleness,
    // refresh metadata every second so that the producer reconnects by itself while no job is sent,
    // and never forget a job topic's metadata (send() may not wait to fetch it again)
    props.put(ProducerConfig.CONNECTIONS_MAX_IDLE_MS_CONFIG, -1L);
    props.put(ProducerConfig.METADATA_MAX_AGE_CONFIG, 1_000);
    props.put(ProducerConfig.METADATA_MAX_IDLE_CONFIG, Integer.MAX_VALUE);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "spillway-ingest");
    this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    this.link = BrokerLink.of(producer, meters, () -> failPending("Kafka connection lost"));
    this.refusal = BrokerRefusal.of(producer, () -> lastAckNanos, meters, () -> failPending("Kafka refuses jobs"));
    this.pending = new PendingAcks(ackTimeout);
    // one task for all three looks: a wake-up of the watch thread costs more than any look
    // (measured under load: as two tasks, link and sweep took 2% of the API's CPU, nearly all of it
    // in waking up)
    watch.scheduleAtFixedRate(() -> {
      guarded(link::sample);
      guarded(() -> refusal.sample(System.nanoTime()));
      guarded(this::failOverdue);
    }, BrokerLink.SAMPLE_MILLIS, BrokerLink.SAMPLE_MILLIS, TimeUnit.MILLISECONDS);
    this.topics = topics;
    this.maxInFlight = maxInFlight;
    this.produceLatency =
        Timer.builder("spillway.ingest.produce.latency")
            .description("Time from send to broker acknowledgement")
            .publishPercentileHistogram()
            .register(meters);
    meters.gauge("spillway.ingest.produce.inflight", inFlight);
    this.clientMetrics = new KafkaClientMetrics(producer);
    clientMetrics.bindTo(meters);
  }

  /**
   * Fetches topic metadata (blocking, up to the timeout) so that later sends need no wait. Call
   * once at start-up, off the event loop; returns whether the broker answered.
   */
  public boolean warmUp(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Topic<String, JobEnvelope> topic : List.of(topics.payment(), topics.prediction())) {
      while (true) {
        try {
          producer.partitionsFor(topic.name());
          reached = true;
          break;
        } catch (RuntimeException e) {
          if (System.nanoTime() > deadline) {
            log.warn("No metadata for {} yet: {}", topic.name(), e.getMessage());
            return false;
          }
          sleep(200);
        }
      }
    }
    while (!link.connected() && System.nanoTime() < deadline) {
      sleep(BrokerLink.SAMPLE_MILLIS);
    }
    return link.connected();
  }

  /**
   * Sends a job; the future completes when the broker acknowledged it, or fails when it did not:
   * {@link #isOverdue(Throwable) overdue} after the acknowledgement timeout, at once when the
   * broker connection is lost. Throws {@link Refused}.
   */
  public CompletableFuture<RecordMetadata> send(JobEnvelope job, String traceparent, int limit) {
    if (!kafkaAnswering()) {
      throw refused("kafka", "Kafka is unreachable or not acknowledging; not accepting jobs until it answers");
    }
    if (inFlight.incrementAndGet() > Math.min(limit, maxInFlight)) {
      inFlight.decrementAndGet();
      throw refused("inflight", "too many jobs awaiting the broker's acknowledgement");
    }
    Topic<String, JobEnvelope> topic = topics.forType(job.type());
    // a new record's headers: added, not put (put first looks for an earlier value to replace)
    RecordHeaders headers = new RecordHeaders();
    headers.add(SpillwayHeaders.TENANT, job.tenant().getBytes(StandardCharsets.UTF_8));
    headers.add(SpillwayHeaders.SUBMITTED_AT, Long.toString(job.submittedAt().toEpochMilli()).getBytes(StandardCharsets.US_ASCII));
    headers.add(SpillwayHeaders.ATTEMPT, FIRST_ATTEMPT);
    if (traceparent != null) {
      headers.add(SpillwayHeaders.TRACEPARENT, traceparent.getBytes(StandardCharsets.US_ASCII));
    }
    byte[] value = topic.valueSerde().serializer().serialize(topic.name(), headers, job);
    long started = System.nanoTime();
    PendingAcks.Ack acked = pending.add(started);
    if (unackedSinceNanos == 0) {
      unackedSinceNanos = started;
    }
    try {
      producer.send(
          new ProducerRecord<>(topic.name(), null, job.key(), value, headers),
          (metadata, error) -> {
            if (inFlight.decrementAndGet() == 0) {
              unackedSinceNanos = 0;
            }
            if (error == null) {
              long now = System.nanoTime();
              stampAck(now);
              produceLatency.record(now - started, TimeUnit.NANOSECONDS);
              acked.complete(metadata);
            } else {
              lastErrorNanos = System.nanoTime();
              acked.completeExceptionally(error);
            }
          });
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      acked.cancel(false);
      inFlight.decrementAndGet();
      lastErrorNanos = System.nanoTime();
      throw refused(e.getMessage() != null && e.getMessage().contains("memory") ? "buffer" : "kafka", "the broker is not reachable or the send buffer is full");
    } catch (RuntimeException e) {
      acked.cancel(false);
      inFlight.decrementAndGet();
      throw refused("kafka", "cannot send to Kafka: " + e.getMessage());
    }
    return acked;
  }

  /**
   * Remembers an acknowledgement at {@code now}: written at most once a millisecond, as the stall
   * check needs it to the second. The event loops read these fields at every send; written at every
   * acknowledgement, their cache line moved from the producer's core to theirs and back each time.
   */
  private void stampAck(long now) {
    if (now - lastAckNanos >= ACK_STAMP_NANOS) {
      lastAckNanos = now;
    }
    if (!reached) {
      reached = true;
    }
  }

  private static final long ACK_STAMP_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  /** A refusal, remembered: the instance reads unready while it sheds (see {@link #ready()}). */
  private Refused refused(String reason, String message) {
    lastShedNanos = System.nanoTime();
    return new Refused(reason, message);
  }

  /**
   * The broker connection is gone, or the brokers refuse jobs: every job still awaiting its
   * acknowledgement is answered now (503) instead of at the produce timeout. Its record stays in
   * the producer and may yet be written when the broker returns — the same doubt as a timeout,
   * which the 503 names: retry with the same Idempotency-Key, and the job is the same job.
   */
  private void failPending(String what) {
    int failed = pending.failAll(new KafkaUnavailable(what));
    if (failed > 0) {
      lastShedNanos = System.nanoTime();
      log.warn("{} with {} jobs awaiting acknowledgement; answered 503", what, failed);
    }
  }

  /** One look of the watch; a failure is logged and never ends the watch. */
  private static void guarded(Runnable look) {
    try {
      look.run();
    } catch (RuntimeException e) {
      log.error("Kafka acknowledgement watch failed; it runs on", e);
    }
  }

  private void failOverdue() {
    int failed = pending.expire(System.nanoTime());
    if (failed > 0) {
      lastShedNanos = System.nanoTime();
      log.warn("{} jobs not acknowledged by Kafka in time; answered 503", failed);
    }
  }

  /** Whether a send failed because Kafka became unavailable while it awaited the acknowledgement. */
  public static boolean isKafkaUnavailable(Throwable error) {
    return error instanceof KafkaUnavailable;
  }

  /** Whether a send failed because the broker did not acknowledge it within the timeout. */
  public static boolean isOverdue(Throwable error) {
    return error instanceof PendingAcks.Overdue;
  }

  public int inFlight() {
    return inFlight.get();
  }

  /**
   * False while the producer has no broker connection (see {@link BrokerLink}), while the brokers
   * refuse jobs (see {@link BrokerRefusal}), or when produces
   * have been waiting for over a second and the broker acknowledged nothing in that time: Kafka is
   * unreachable, and new jobs are refused at once (503) rather than left to hang. True again with
   * a connection and the first acknowledgement, or when nothing is pending.
   */
  public boolean kafkaAnswering() {
    if (!link.connected() || refusal.refusing()) {
      return false;
    }
    long pendingSince = unackedSinceNanos;
    if (inFlight.get() == 0 || pendingSince == 0) {
      return true;
    }
    long now = System.nanoTime();
    return now - pendingSince < STALL_NANOS || now - lastAckNanos < STALL_NANOS;
  }

  /**
   * Ready to accept: the broker was reached, is not stalling, and no job was shed (refused or
   * answered 503) in the last second — a load balancer sends new clients elsewhere while this
   * instance sheds, predictions included.
   */
  public boolean ready() {
    long now = System.nanoTime();
    long error = lastErrorNanos;
    boolean recentFailure = error != 0 && error - lastAckNanos > 0 && now - error < READY_AFTER_ERROR_NANOS;
    long shed = lastShedNanos;
    boolean shedding = shed != 0 && now - shed < READY_AFTER_SHED_NANOS;
    return reached && kafkaAnswering() && !recentFailure && !shedding;
  }

  private static final long READY_AFTER_ERROR_NANOS = TimeUnit.SECONDS.toNanos(3);

  private static final long READY_AFTER_SHED_NANOS = TimeUnit.SECONDS.toNanos(1);

  private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** Waits for in-flight records, up to the timeout, and closes the producer. */
  public void close(Duration timeout) {
    watch.shutdownNow();
    producer.close(timeout);
    clientMetrics.close();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

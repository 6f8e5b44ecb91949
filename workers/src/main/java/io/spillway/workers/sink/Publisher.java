package io.spillway.workers.sink;

import io.micrometer.core.instrument.MeterRegistry;
import io.spillway.schemas.JobEnvelope;
import io.spillway.schemas.LifecycleEvent;
import io.spillway.schemas.SpillwayHeaders;
import io.spillway.schemas.Topics;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the workers write to Kafka: lifecycle events (fire and forget), and retries and dead
 * letters (which must be acknowledged before the source offset is committed). Owns its producer.
 */
public final class Publisher implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Publisher.class);

  private final KafkaProducer<String, byte[]> producer;
  private final Topics topics;
  private final MeterRegistry meters;

  public Publisher(String bootstrap, Topics topics, MeterRegistry meters) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    // a retry or dead letter must be durable before the source offset is committed
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    // Events are small and many, keyed by job id over every partition: batch them in large batches.
    // Each batch allocates its lz4 buffers (about 128 KiB): with 5 ms and 16 KiB batches those
    // buffers were 18% of all the worker allocated (JFR, bench-workers).
    props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    // lz4 costs the worker little and saves the broker more: measured with bench-workers, "none"
    // raised the broker's CPU share (13% → 15-16%) and lowered throughput (14.4k → 11-13k jobs/s)
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "spillway-workers");
    this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    this.topics = topics;
    this.meters = meters;
  }

  public void event(LifecycleEvent event) {
    RecordHeaders headers = new RecordHeaders();
    SpillwayHeaders.put(headers, SpillwayHeaders.TENANT, event.tenant());
    byte[] value = topics.events().valueSerde().serializer().serialize(topics.events().name(), headers, event);
    producer.send(new ProducerRecord<>(topics.events().name(), null, event.jobId(), value, headers), (m, e) -> {
      if (e != null) {
        meters.counter("spillway.worker.events.failed").increment();
        log.debug("Lifecycle event for {} not written: {}", event.jobId(), e.toString());
      }
    });
  }

  /** Sends a job to {@code jobs.retry}, due at {@code notBefore} (epoch ms). */
  public Future<RecordMetadata> retry(JobEnvelope next, ConsumerRecord<String, ?> source, long notBefore) {
    RecordHeaders headers = copy(source.headers());
    SpillwayHeaders.put(headers, SpillwayHeaders.NOT_BEFORE, String.valueOf(notBefore));
    SpillwayHeaders.put(headers, SpillwayHeaders.ATTEMPT, String.valueOf(next.attempt()));
    origin(headers, source);
    byte[] value = topics.retry().valueSerde().serializer().serialize(topics.retry().name(), headers, next);
    return producer.send(new ProducerRecord<>(topics.retry().name(), null, source.key(), value, headers));
  }

  /** Sends the original record to {@code jobs.dlq} with the error in headers. */
  public Future<RecordMetadata> deadLetter(ConsumerRecord<String, byte[]> source, String code, String message, String errorClass) {
    RecordHeaders headers = copy(source.headers());
    SpillwayHeaders.put(headers, SpillwayHeaders.ERROR_CODE, code);
    SpillwayHeaders.put(headers, SpillwayHeaders.ERROR_MESSAGE, message.length() > 1000 ? message.substring(0, 1000) : message);
    SpillwayHeaders.put(headers, SpillwayHeaders.ERROR_CLASS, errorClass);
    if (headers.lastHeader(SpillwayHeaders.SOURCE_TOPIC) == null) {
      origin(headers, source);
    }
    meters.counter("spillway.worker.dead.letters", "code", code).increment();
    return producer.send(new ProducerRecord<>(topics.dlq().name(), null, source.key(), source.value(), headers));
  }

  /** Sends raw bytes back to a topic (the retry forwarder). */
  public Future<RecordMetadata> forward(String topic, String key, byte[] value, Headers headers) {
    return producer.send(new ProducerRecord<>(topic, null, key, value, headers));
  }

  /** Waits until every future is acknowledged; throws if one failed. */
  public static void awaitAll(java.util.Collection<Future<RecordMetadata>> sends) throws ExecutionException, InterruptedException {
    for (Future<RecordMetadata> f : sends) {
      f.get();
    }
  }

  private static void origin(RecordHeaders headers, ConsumerRecord<String, ?> source) {
    SpillwayHeaders.put(headers, SpillwayHeaders.SOURCE_TOPIC, source.topic());
    SpillwayHeaders.put(headers, SpillwayHeaders.SOURCE_PARTITION, String.valueOf(source.partition()));
    SpillwayHeaders.put(headers, SpillwayHeaders.SOURCE_OFFSET, String.valueOf(source.offset()));
  }

  private static RecordHeaders copy(Headers headers) {
    RecordHeaders copy = new RecordHeaders();
    headers.forEach(h -> copy.add(h.key(), h.value()));
    return copy;
  }

  public void flush() {
    producer.flush();
  }

  @Override
  public void close() {
    producer.close(java.time.Duration.ofSeconds(10));
  }


}

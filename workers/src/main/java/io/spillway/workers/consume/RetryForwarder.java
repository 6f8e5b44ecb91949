package io.spillway.workers.consume;

import io.spillway.schemas.SpillwayHeaders;
import io.spillway.workers.sink.Publisher;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delayed redelivery: reads {@code jobs.retry} and, once a record's not-before time has come,
 * sends it back to its source topic and commits. A partition whose head is not yet due is paused
 * until it is, so waiting blocks neither the poll loop nor the job partitions.
 */
public final class RetryForwarder implements Runnable, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RetryForwarder.class);

  private final KafkaConsumer<String, byte[]> consumer;
  private final String retryTopic;
  private final Publisher publisher;
  private final Clock clock;
  private final Map<TopicPartition, Long> pausedUntil = new HashMap<>();
  private volatile boolean closed;

  public RetryForwarder(KafkaConsumer<String, byte[]> consumer, String retryTopic, Publisher publisher, Clock clock) {
    this.consumer = consumer;
    this.retryTopic = retryTopic;
    this.publisher = publisher;
    this.clock = clock;
  }

  @Override
  public void run() {
    try {
      consumer.subscribe(List.of(retryTopic));
      while (!closed) {
        resumeDue();
        var records = consumer.poll(Duration.ofMillis(200));
        for (TopicPartition tp : records.partitions()) {
          Long committedUpTo = null;
          for (ConsumerRecord<String, byte[]> r : records.records(tp)) {
            long notBefore = SpillwayHeaders.text(r.headers(), SpillwayHeaders.NOT_BEFORE).map(Long::parseLong).orElse(0L);
            if (notBefore > clock.millis()) {
              consumer.seek(tp, r.offset());
              consumer.pause(List.of(tp));
              pausedUntil.put(tp, notBefore);
              break;
            }
            String source = SpillwayHeaders.text(r.headers(), SpillwayHeaders.SOURCE_TOPIC).orElse(null);
            if (source == null) {
              log.warn("Retry record {}@{} has no source topic; dropping it to the DLQ", tp, r.offset());
              publisher.deadLetter(r, "RETRY_WITHOUT_SOURCE", "a retry record lacks " + SpillwayHeaders.SOURCE_TOPIC, "RetryForwarder").get();
            } else {
              publisher.forward(source, r.key(), r.value(), r.headers()).get();
            }
            committedUpTo = r.offset() + 1;
          }
          if (committedUpTo != null) {
            consumer.commitSync(Map.of(tp, new OffsetAndMetadata(committedUpTo)));
          }
        }
      }
    } catch (WakeupException e) {
      if (!closed) {
        throw e;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException e) {
      log.warn("Retry forwarding failed; the records are read again: {}", e.toString());
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private void resumeDue() {
    long now = clock.millis();
    var due = pausedUntil.entrySet().stream().filter(e -> e.getValue() <= now).map(Map.Entry::getKey).toList();
    if (!due.isEmpty()) {
      due.forEach(pausedUntil::remove);
      consumer.resume(due.stream().filter(consumer.assignment()::contains).toList());
    }
  }

  @Override
  public void close() {
    closed = true;
    consumer.wakeup();
  }
}

package io.spillway.workers.consume;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The offsets one consumer has made durable — its batches' results are committed in PostgreSQL —
 * and not yet committed to Kafka. A commit refused during a rebalance is not lost: the offsets stay
 * here and go with the next commit. Without that, a partition the consumer keeps through a
 * cooperative rebalance, and reads to its end meanwhile, would never have its offset committed: its
 * lag would stay up and a restart would redeliver all of it. Not thread-safe: the poll thread owns
 * it, as it owns the consumer.
 */
final class DurableOffsets {

  private static final Logger log = LoggerFactory.getLogger(DurableOffsets.class);

  private final Consumer<?, ?> consumer;
  private final String type;
  private final Counter deferred;
  private final Map<TopicPartition, OffsetAndMetadata> pending = new HashMap<>();
  /** Whether the last commit was refused: the first refusal and the commit that ends them are logged, not each retry. */
  private boolean deferring;

  DurableOffsets(Consumer<?, ?> consumer, String type, MeterRegistry meters) {
    this.consumer = consumer;
    this.type = type;
    this.deferred = meters.counter("spillway.worker.commits.deferred", "type", type);
  }

  /** The batch's results are durable: each of its partitions is to be committed past its last record. */
  void durable(ConsumerRecords<?, ?> records) {
    for (TopicPartition tp : records.partitions()) {
      pending.put(tp, new OffsetAndMetadata(records.records(tp).getLast().offset() + 1));
    }
  }

  /** Commits every pending offset; false when a rebalance refused them, which stay pending. */
  boolean commit() {
    if (pending.isEmpty()) {
      return true;
    }
    try {
      consumer.commitSync(pending);
      if (deferring) {
        deferring = false;
        log.info("{} offsets deferred by a rebalance now committed, for {} partitions", type, pending.size());
      }
      pending.clear();
      return true;
    } catch (CommitFailedException | RebalanceInProgressException e) {
      deferred.increment();
      if (!deferring) {
        deferring = true;
        log.info("{} offsets of {} partitions not committed during a rebalance; retried with every poll until it ends: {}", type, pending.size(),
            e.getMessage());
      } else {
        log.debug("{} offsets of {} partitions still deferred by a rebalance", type, pending.size());
      }
      return false;
    }
  }

  /**
   * The group is taking these partitions away: their pending offsets are committed now, while they
   * are still this consumer's; should that fail, the new owner redelivers them, idempotently.
   */
  void revoked(Collection<TopicPartition> partitions) {
    Map<TopicPartition, OffsetAndMetadata> theirs = new HashMap<>();
    for (TopicPartition tp : partitions) {
      OffsetAndMetadata offset = pending.remove(tp);
      if (offset != null) {
        theirs.put(tp, offset);
      }
    }
    if (theirs.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(theirs);
    } catch (CommitFailedException | RebalanceInProgressException e) {
      deferred.increment();
      log.info("{} offsets of {} revoked partitions not committed; their new owner redelivers those records (idempotently): {}", type,
          theirs.size(), e.getMessage());
    }
  }

  /** The partitions were lost (the session expired), so their offsets are no longer this consumer's to commit. */
  void lost(Collection<TopicPartition> partitions) {
    pending.keySet().removeAll(partitions);
  }
}

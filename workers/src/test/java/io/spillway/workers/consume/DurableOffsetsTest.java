package io.spillway.workers.consume;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.junit.jupiter.api.Test;

/** The offset bookkeeping alone, on a consumer fake that can refuse commits as a rebalance does. */
class DurableOffsetsTest {

  private static final TopicPartition P0 = new TopicPartition("jobs.payment", 0);
  private static final TopicPartition P1 = new TopicPartition("jobs.payment", 1);

  private final RefusingConsumer consumer = new RefusingConsumer();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final DurableOffsets offsets = new DurableOffsets(consumer, "payment", meters);

  @Test
  void aCommitRefusedDuringARebalanceGoesWithTheNextCommitEvenForAPartitionWithNoNewRecords() {
    consumer.refuseNext = 1;
    offsets.durable(batch(P0, 0, 10));
    assertThat(offsets.commit()).isFalse();
    assertThat(consumer.committed).isEmpty();

    offsets.durable(batch(P1, 0, 5));
    assertThat(offsets.commit()).isTrue();

    assertThat(consumer.committed).containsEntry(P0, 10L).containsEntry(P1, 5L);
    assertThat(meters.counter("spillway.worker.commits.deferred", "type", "payment").count()).isEqualTo(1.0);
  }

  @Test
  void aPendingOffsetIsRetriedWhenThePollBringsNothing() {
    consumer.refuseNext = 1;
    offsets.durable(batch(P0, 0, 7));
    offsets.commit();

    assertThat(offsets.commit()).isTrue();

    assertThat(consumer.committed).containsEntry(P0, 7L);
    assertThat(consumer.commits).hasSize(2);
  }

  @Test
  void aLaterBatchOfAPartitionMovesItsPendingOffsetForward() {
    consumer.refuseNext = 1;
    offsets.durable(batch(P0, 0, 10));
    offsets.commit();
    offsets.durable(batch(P0, 10, 20));

    offsets.commit();

    assertThat(consumer.committed).containsEntry(P0, 20L);
  }

  @Test
  void revokedPartitionsAreCommittedAtOnceAndThenNoLongerThisConsumers() {
    bothPartitionsPendingAfterARefusedCommit();

    offsets.revoked(List.of(P0));
    assertThat(consumer.commits.getLast()).isEqualTo(Map.of(P0, new OffsetAndMetadata(10)));

    offsets.commit();
    assertThat(consumer.commits.getLast()).isEqualTo(Map.of(P1, new OffsetAndMetadata(4)));
  }

  @Test
  void lostPartitionsAreNeverCommitted() {
    bothPartitionsPendingAfterARefusedCommit();

    offsets.lost(List.of(P0));
    offsets.commit();

    assertThat(consumer.committed).doesNotContainKey(P0).containsEntry(P1, 4L);
  }

  @Test
  void nothingPendingMeansNoCommitRequest() {
    assertThat(offsets.commit()).isTrue();
    assertThat(consumer.commits).isEmpty();
  }

  /** P0 durable up to 10 and P1 up to 4, their commit refused by a rebalance. */
  private void bothPartitionsPendingAfterARefusedCommit() {
    consumer.refuseNext = 1;
    offsets.durable(batch(P0, 0, 10));
    offsets.durable(batch(P1, 0, 4));
    assertThat(offsets.commit()).isFalse();
  }

  /** Records {@code from} (inclusive) to {@code to} (exclusive) of one partition. */
  private static ConsumerRecords<String, byte[]> batch(TopicPartition tp, long from, long to) {
    List<ConsumerRecord<String, byte[]>> records =
        LongStream.range(from, to).mapToObj(o -> new ConsumerRecord<>(tp.topic(), tp.partition(), o, "k", new byte[0])).toList();
    return new ConsumerRecords<>(Map.of(tp, records), Map.of());
  }

  /** Keeps what it is asked to commit, and refuses the next {@link #refuseNext} commits as a rebalance does. */
  private static final class RefusingConsumer extends MockConsumer<String, byte[]> {

    int refuseNext;
    final List<Map<TopicPartition, OffsetAndMetadata>> commits = new ArrayList<>();
    final Map<TopicPartition, Long> committed = new HashMap<>();

    RefusingConsumer() {
      super("earliest");
    }

    @Override
    public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
      commits.add(Map.copyOf(offsets));
      if (refuseNext > 0) {
        refuseNext--;
        throw new RebalanceInProgressException("the group is rebalancing");
      }
      offsets.forEach((tp, offset) -> committed.put(tp, offset.offset()));
    }
  }
}

package io.spillway.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.schemas.JobStatus;
import io.spillway.schemas.JobType;
import io.spillway.schemas.LifecycleEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sampler's partials store across commits, sends and a restart: whatever a commit wrote is
 * taken out of the store once sent, so a task that restores the store sends nothing twice.
 */
class SamplerTest {

  private static final Instant T0 = Instant.parse("2026-11-27T09:00:00Z");

  private final MockProcessorContext<String, Partial> context = new MockProcessorContext<>();
  private final CommitHook commit = new CommitHook(Sampler.COMMIT_HOOK);
  private KeyValueStore<String, WindowAggregate> store;

  @BeforeEach
  void stores() {
    context.setCurrentStreamTimeMs(T0.toEpochMilli());
    context.setCurrentSystemTimeMs(T0.toEpochMilli());
    store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(Sampler.PARTIALS_STORE), Serdes.String(), StatsTopology.AGGREGATE)
        .withLoggingDisabled()
        .build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    context.addStateStore(commit);
  }

  @Test
  void aPartialThatGrewAfterACommitIsTakenOutOfTheStoreWhenSentAndNotSentAgainAfterARestart() {
    Sampler sampler = started();
    sampler.process(completed(100));
    commit.flushCache(); // a commit: the partial of one event goes into the store
    sampler.process(completed(300)); // the same second: the partial grows before it is sent

    forward();

    assertThat(sentCounts()).as("events in the partials sent").containsExactly(2L);
    assertThat(entries()).as("partials left in the store once sent").isZero();

    context.resetForwards();
    started(); // a restart: the new task restores the store
    forward();
    assertThat(sentCounts()).as("partials sent again after a restart").isEmpty();
  }

  @Test
  void aPartialCommittedButNotYetSentIsSentByTheTaskThatRestoresTheStore() {
    Sampler sampler = started();
    sampler.process(completed(100));
    sampler.process(completed(200));
    commit.flushCache(); // committed, then the task stops before the partial was sent

    context.resetForwards();
    started();
    forward();

    assertThat(sentCounts()).as("events in the partials the restarted task sends").containsExactly(2L);
    assertThat(entries()).as("partials left in the store once sent").isZero();
  }

  private Sampler started() {
    Sampler sampler = new Sampler(Duration.ofSeconds(2));
    sampler.init(context);
    return sampler;
  }

  /** Runs the latest sampler's send punctuation. */
  private void forward() {
    context.scheduledPunctuators().getLast().getPunctuator().punctuate(T0.toEpochMilli() + 1000);
  }

  private List<Long> sentCounts() {
    List<Long> counts = new ArrayList<>();
    for (var forward : context.forwarded()) {
      Partial partial = forward.record().value();
      if (!partial.isHeartbeat()) {
        counts.add(partial.recorded().count());
      }
    }
    return counts;
  }

  private long entries() {
    try (var all = store.all()) {
      long n = 0;
      for (; all.hasNext(); all.next()) {
        n++;
      }
      return n;
    }
  }

  private static Record<String, LifecycleEvent> completed(long atMs) {
    Instant at = T0.plusMillis(atMs);
    LifecycleEvent e = new LifecycleEvent(UUID.randomUUID().toString(), "t", JobType.PAYMENT, JobStatus.SUCCEEDED, 1, at.minusMillis(40),
        at.minusMillis(30), at.minusMillis(20), at, false, null);
    return new Record<>(e.jobId(), e, at.toEpochMilli());
  }
}

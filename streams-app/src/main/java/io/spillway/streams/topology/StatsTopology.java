package io.spillway.streams.topology;

import io.spillway.schemas.JsonSerde;
import io.spillway.schemas.LifecycleEvent;
import io.spillway.schemas.PipelineAlert;
import io.spillway.schemas.Topics;
import io.spillway.schemas.WindowStats;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.apache.kafka.streams.state.Stores;

/**
 * The statistics topology, built by a pure method so that TopologyTestDriver tests the same
 * graph production runs: terminal lifecycle events, timed by their completion, are folded by the
 * {@link Sampler} into per-second {@link Partial}s per partition, repartitioned by job type and merged by the {@link WindowingProcessor}
 * into tumbling 1 s windows and hopping 1 min windows (advancing every 10 s); each window, once
 * closed (after the grace period for late events), goes to {@code pipeline.stats}, and every
 * closed 1 s window through the {@link AlertProcessor} to {@code pipeline.alerts}.
 */
public final class StatsTopology {

  /** The store of the 1 s windows, for interactive queries. */
  public static final String STORE_1S = "stats-1s";
  /** The store of the 1 min windows. */
  public static final String STORE_1M = "stats-1m";

  private StatsTopology() {}

  /**
   * @param eventPartitions the partitions of {@code jobs.events}: a window closes once every one
   *     of them has passed it (or is idle)
   * @param grace how late an event may arrive and still count in its window
   * @param rules when alerts fire
   * @param onClosed called with every closed window (for the metrics gauges)
   * @param onLate called with the number of events too late for at least one of their windows (for a counter)
   */
  public static Topology build(Topics topics, int eventPartitions, Duration grace, AlertRules rules, Consumer<WindowStats> onClosed,
      LongConsumer onLate) {
    StreamsBuilder builder = new StreamsBuilder();
    List<WindowSpec> specs = List.of(
        WindowSpec.tumbling("1s", STORE_1S, Duration.ofSeconds(1)),
        WindowSpec.hopping("1m", STORE_1M, Duration.ofMinutes(1), Duration.ofSeconds(10)));
    for (WindowSpec spec : specs) {
      builder.addStateStore(Stores.windowStoreBuilder(
              Stores.inMemoryWindowStore(spec.store(), RETENTION, Duration.ofMillis(spec.sizeMs()), false), Serdes.String(), AGGREGATE)
          .withCachingDisabled());
    }
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(WindowingProcessor.PROGRESS_STORE), Serdes.String(), Serdes.Long())
        .withCachingDisabled());
    builder.addStateStore(CommitHook.builder(WindowingProcessor.COMMIT_HOOK));
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(Sampler.PARTIALS_STORE), Serdes.String(), AGGREGATE)
        .withCachingDisabled());
    builder.addStateStore(CommitHook.builder(Sampler.COMMIT_HOOK));
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(AlertProcessor.STORE), Serdes.String(),
        new JsonSerde<>(AlertState.class)));

    KStream<String, WindowStats> closed = builder
        .stream(topics.events().name(), Consumed.with(Serdes.String(), topics.events().valueSerde()).withTimestampExtractor(new CompletionTime()))
        .process(() -> new Sampler(idleAfter(grace)), Sampler.PARTIALS_STORE, Sampler.COMMIT_HOOK)
        .repartition(Repartitioned.with(Serdes.String(), Partial.SERDE).withName("by-type"))
        .process(() -> new WindowingProcessor(specs, eventPartitions, grace.toMillis(), onClosed, onLate),
            STORE_1S, STORE_1M, WindowingProcessor.PROGRESS_STORE, WindowingProcessor.COMMIT_HOOK);
    closed.to(topics.stats(), Produced.with(Serdes.String(), new JsonSerde<>(WindowStats.class)));
    closed.filter((key, stats) -> "1s".equals(stats.window()))
        .process(() -> new AlertProcessor(rules), AlertProcessor.STORE)
        .to(topics.alerts(), Produced.with(Serdes.String(), new JsonSerde<>(PipelineAlert.class)));
    return builder.build();
  }

  /** A partition without events for this long no longer holds the windows open. */
  static Duration idleAfter(Duration grace) {
    return grace.compareTo(Duration.ofSeconds(5)) > 0 ? grace : Duration.ofSeconds(5);
  }

  /** How long the window stores keep closed windows for the stats API. */
  static final Duration RETENTION = Duration.ofHours(1);

  /** The serde of the aggregate in the changelogged window stores. */
  public static final Serde<WindowAggregate> AGGREGATE =
      Serdes.serdeFrom((topic, agg) -> agg == null ? null : agg.encode(), (topic, bytes) -> bytes == null ? null : WindowAggregate.decode(bytes));

  /** Events are timed by when the job completed (or started), not when the event was written. */
  static final class CompletionTime implements TimestampExtractor {
    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
      if (record.value() instanceof LifecycleEvent e) {
        Instant at = e.completedAt() != null ? e.completedAt() : e.startedAt();
        if (at != null) {
          return at.toEpochMilli();
        }
      }
      return record.timestamp();
    }
  }
}

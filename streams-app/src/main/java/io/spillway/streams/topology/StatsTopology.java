package io.spillway.streams.topology;

import io.spillway.schemas.JobType;
import io.spillway.schemas.JsonSerde;
import io.spillway.schemas.LifecycleEvent;
import io.spillway.schemas.Topics;
import io.spillway.schemas.WindowStats;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import io.spillway.schemas.PipelineAlert;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The statistics topology, built by a pure method so that TopologyTestDriver tests the same
 * graph production runs: terminal lifecycle events, keyed by job type and timed by their
 * completion, into tumbling 1 s windows and hopping 1 min windows (advancing every 10 s); each
 * window, once closed (after the grace period for late events), goes to {@code pipeline.stats}.
 */
public final class StatsTopology {

  /** The store of the 1 s windows, for interactive queries. */
  public static final String STORE_1S = "stats-1s";
  /** The store of the 1 min windows. */
  public static final String STORE_1M = "stats-1m";

  private StatsTopology() {}

  /**
   * @param grace how late an event may arrive and still count in its window
   * @param onClosed called with every closed window (for the metrics gauges); may be a no-op
   */
  public static Topology build(Topics topics, Duration grace, Consumer<WindowStats> onClosed) {
    return build(topics, grace, AlertRules.defaults(), onClosed);
  }

  /** The topology with the given alert rules: closed 1 s windows also feed {@code pipeline.alerts}. */
  public static Topology build(Topics topics, Duration grace, AlertRules rules, Consumer<WindowStats> onClosed) {
    StreamsBuilder builder = new StreamsBuilder();
    JsonSerde<LifecycleEvent> events = topics.events().valueSerde();
    JsonSerde<WindowStats> stats = new JsonSerde<>(WindowStats.class);
    KGroupedStream<String, LifecycleEvent> byType =
        builder.stream(topics.events().name(), Consumed.with(Serdes.String(), events).withTimestampExtractor(new CompletionTime()))
            .filter((jobId, event) -> event != null && event.status().isTerminal())
            .groupBy((jobId, event) -> event.type().wireName(), Grouped.with("by-type", Serdes.String(), events));
    KStream<String, WindowStats> closed1s =
        window(byType, TimeWindows.ofSizeAndGrace(Duration.ofSeconds(1), grace), STORE_1S, "1s", topics, stats, onClosed);
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(AlertProcessor.STORE), Serdes.String(),
        new JsonSerde<>(AlertState.class)));
    closed1s.process(() -> new AlertProcessor(rules), AlertProcessor.STORE)
        .to(topics.alerts(), Produced.with(Serdes.String(), new JsonSerde<>(PipelineAlert.class)));
    window(byType, TimeWindows.ofSizeAndGrace(Duration.ofMinutes(1), grace).advanceBy(Duration.ofSeconds(10)), STORE_1M, "1m", topics, stats, onClosed);
    return builder.build();
  }

  private static KStream<String, WindowStats> window(KGroupedStream<String, LifecycleEvent> byType, TimeWindows windows, String store, String label, Topics topics,
      JsonSerde<WindowStats> stats, Consumer<WindowStats> onClosed) {
    KStream<String, WindowStats> closed = byType.windowedBy(windows)
        .aggregate(WindowAggregate::new, (type, event, agg) -> agg.add(event),
            Materialized.<String, WindowAggregate, WindowStore<Bytes, byte[]>>as(store).withKeySerde(Serdes.String()).withValueSerde(AGGREGATE))
        .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()).withName("closed-" + label))
        .toStream()
        .map((Windowed<String> window, WindowAggregate agg) -> {
          WindowStats stats1 = agg.toStats(JobType.fromWireName(window.key()).orElseThrow(), label,
              Instant.ofEpochMilli(window.window().start()), Instant.ofEpochMilli(window.window().end()));
          onClosed.accept(stats1);
          return KeyValue.pair(window.key() + "@" + label + "@" + stats1.windowStart(), stats1);
        });
    closed.to(topics.stats(), Produced.with(Serdes.String(), stats));
    return closed;
  }

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

package io.spillway.streams.topology;

import io.spillway.schemas.JobType;
import io.spillway.schemas.WindowStats;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Merges the per-second partials of one task's job types into its window families and writes each window
 * to {@code pipeline.stats} once it closes: when its end plus the grace period lies behind the
 * watermark — the event time every {@code jobs.events} partition that is not idle has reached (see
 * {@link Sampler}). A partial for a window already closed is late: its events are counted by the
 * late callback and left out of that window.
 *
 * <p>The open windows live in memory and take each partial with a histogram merge; they
 * are written to the changelogged window stores once per commit (through the {@link CommitHook}),
 * inside the commit's transaction, so a crash loses nothing and counts nothing twice. A changelogged
 * progress store remembers, per family and type, the first window not yet written, and each source
 * partition's time, so a restarted task neither repeats nor skips a closed window.
 */
final class WindowingProcessor implements Processor<String, Partial, String, WindowStats> {

  static final String PROGRESS_STORE = "stats-progress";
  static final String COMMIT_HOOK = "stats-commit-hook";

  private record Key(WindowSpec spec, String type, long start) {}

  private final List<WindowSpec> specs;
  private final int sourcePartitions;
  private final long graceMs;
  private final Consumer<WindowStats> onClosed;
  private final LongConsumer onLate;
  private final Map<WindowSpec, WindowStore<String, WindowAggregate>> stores = new HashMap<>();
  private final Map<WindowSpec, Long> closedThrough = new HashMap<>();
  private final Map<Key, WindowAggregate> open = new HashMap<>();
  private final Set<Key> dirty = new HashSet<>();
  private ProcessorContext<String, WindowStats> context;
  private KeyValueStore<String, Long> progress;
  private final Map<Integer, Long> sourceTimes = new HashMap<>();
  private final Set<Integer> idleSources = new HashSet<>();
  private final Set<Integer> movedSources = new HashSet<>();
  private long watermark = -1;

  private static final String SOURCE_PREFIX = "source|";

  WindowingProcessor(List<WindowSpec> specs, int sourcePartitions, long graceMs, Consumer<WindowStats> onClosed, LongConsumer onLate) {
    this.specs = specs;
    this.sourcePartitions = sourcePartitions;
    this.graceMs = graceMs;
    this.onClosed = onClosed;
    this.onLate = onLate;
  }

  @Override
  public void init(ProcessorContext<String, WindowStats> context) {
    this.context = context;
    for (WindowSpec spec : specs) {
      stores.put(spec, context.getStateStore(spec.store()));
    }
    progress = context.getStateStore(PROGRESS_STORE);
    context.<CommitHook>getStateStore(COMMIT_HOOK).onCommit(this::writeOpenWindows);
    try (var stored = progress.prefixScan(SOURCE_PREFIX, org.apache.kafka.common.serialization.Serdes.String().serializer())) {
      stored.forEachRemaining(kv -> sourceTimes.put(Integer.parseInt(kv.key.substring(SOURCE_PREFIX.length())), kv.value));
    }
    watermark = computeWatermark();
  }

  @Override
  public void process(Record<String, Partial> record) {
    String type = record.key();
    Partial partial = record.value();
    if (type == null || partial == null) {
      return;
    }
    if (partial.isHeartbeat()) {
      observe(partial);
      closeWindows();
      return;
    }
    long second = partial.bucketStart();
    WindowAggregate.Recorded recorded = partial.recorded();
    boolean late = false;
    for (WindowSpec spec : specs) {
      for (long start = spec.lastStart(second); start > second - spec.sizeMs() && start >= 0; start -= spec.advanceMs()) {
        if (spec.closed(start, watermark, graceMs)) {
          late = true;
          continue;
        }
        Key key = new Key(spec, type, start);
        WindowAggregate agg = open.get(key);
        if (agg == null) {
          agg = stored(key);
          open.put(key, agg);
        }
        agg.merge(recorded);
        dirty.add(key);
      }
    }
    if (late) {
      onLate.accept(recorded.count());
    }
  }

  /** Takes note of a heartbeat's partition time and whether it is idle; advances the watermark. */
  private void observe(Partial heartbeat) {
    int source = heartbeat.sourcePartition();
    Long before = sourceTimes.get(source);
    if (before == null || heartbeat.sourceTime() > before) {
      sourceTimes.put(source, heartbeat.sourceTime());
      movedSources.add(source);
    }
    if (heartbeat.idle()) {
      idleSources.add(source);
    } else {
      idleSources.remove(source);
    }
    watermark = Math.max(watermark, computeWatermark());
  }

  /**
   * The time every busy source partition has reached; when all are idle, the latest any reached;
   * -1 until every partition has reported (so the first to arrive cannot close the others' windows).
   */
  private long computeWatermark() {
    if (sourceTimes.size() < sourcePartitions) {
      return -1;
    }
    long min = Long.MAX_VALUE;
    long max = -1;
    for (Map.Entry<Integer, Long> e : sourceTimes.entrySet()) {
      max = Math.max(max, e.getValue());
      if (!idleSources.contains(e.getKey())) {
        min = Math.min(min, e.getValue());
      }
    }
    return min == Long.MAX_VALUE ? max : min;
  }

  private WindowAggregate stored(Key key) {
    WindowAggregate agg = stores.get(key.spec()).fetch(key.type(), key.start());
    return agg == null ? new WindowAggregate() : agg;
  }

  private void closeWindows() {
    if (watermark < 0) {
      return;
    }
    for (WindowSpec spec : specs) {
      long last = spec.lastClosedStart(watermark, graceMs);
      Long before = closedThrough.get(spec);
      if (before != null && last <= before) {
        continue;
      }
      closedThrough.put(spec, last);
      for (JobType type : JobType.values()) {
        emitClosed(spec, type, last);
      }
    }
  }

  /** Writes every window of a family and type that closed since the last call, oldest first. */
  private void emitClosed(WindowSpec spec, JobType type, long lastClosed) {
    String name = type.wireName();
    String progressKey = spec.label() + "|" + name;
    Long next = progress.get(progressKey);
    long from = next == null ? 0 : next;
    if (from > lastClosed) {
      return;
    }
    WindowStore<String, WindowAggregate> store = stores.get(spec);
    TreeMap<Long, WindowAggregate> closing = new TreeMap<>();
    try (WindowStoreIterator<WindowAggregate> stored = store.fetch(name, Instant.ofEpochMilli(from), Instant.ofEpochMilli(lastClosed))) {
      stored.forEachRemaining(kv -> closing.put(kv.key, kv.value));
    }
    for (Iterator<Map.Entry<Key, WindowAggregate>> it = open.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Key, WindowAggregate> e = it.next();
      Key key = e.getKey();
      if (key.spec().equals(spec) && key.type().equals(name) && key.start() >= from && key.start() <= lastClosed) {
        closing.put(key.start(), e.getValue()); // newer than what the store holds
        if (dirty.remove(key)) {
          store.put(name, e.getValue(), key.start());
        }
        it.remove();
      }
    }
    closing.forEach((start, agg) -> {
      WindowStats stats = agg.toStats(type, spec.label(), Instant.ofEpochMilli(start), Instant.ofEpochMilli(start + spec.sizeMs()));
      onClosed.accept(stats);
      context.forward(new Record<>(name + "@" + spec.label() + "@" + stats.windowStart(), stats, start + spec.sizeMs()));
    });
    progress.put(progressKey, lastClosed + spec.advanceMs());
  }

  /** Runs at the start of every commit: what changed since the last one goes to the stores. */
  private void writeOpenWindows() {
    for (Key key : dirty) {
      stores.get(key.spec()).put(key.type(), open.get(key), key.start());
    }
    dirty.clear();
    for (int source : movedSources) {
      progress.put(SOURCE_PREFIX + source, sourceTimes.get(source));
    }
    movedSources.clear();
  }
}

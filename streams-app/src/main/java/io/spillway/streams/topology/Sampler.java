package io.spillway.streams.topology;

import io.spillway.schemas.JobType;
import io.spillway.schemas.LifecycleEvent;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Runs once per {@code jobs.events} partition and folds its terminal events, per job type and
 * second, into in-memory partial aggregates — a few histogram increments per event. Every
 * {@link #FORWARD_EVERY} it sends those partials on to the windowing step (repartitioned by job
 * type), then a heartbeat per job type with the partition's event time, marked idle when the
 * partition had no event for the idle period (and then moved on by the quiet wall-clock time, so
 * that the last windows close when traffic stops).
 *
 * <p>Partials not yet sent are written to a changelogged store at every commit (through a
 * {@link CommitHook}), in the commit's transaction, and taken out of it when sent: a crash between
 * the two finds them in the restored store and sends them then — nothing lost, nothing twice.
 */
final class Sampler implements Processor<String, LifecycleEvent, String, Partial> {

  static final String PARTIALS_STORE = "stats-partials";
  static final String COMMIT_HOOK = "stats-partials-commit-hook";
  static final Duration FORWARD_EVERY = Duration.ofMillis(200);

  private final long idleAfterMs;
  private final Map<String, WindowAggregate> partials = new HashMap<>();
  /** Keys whose partial changed since the last commit. */
  private final Set<String> unwritten = new HashSet<>();
  /** Keys with a partial in the store: written at a commit, or restored, and not yet sent. */
  private final Set<String> stored = new HashSet<>();
  private ProcessorContext<String, Partial> context;
  private KeyValueStore<String, WindowAggregate> store;
  private int partition;
  private long partitionTime;
  private long lastEventWallMs;

  Sampler(Duration idleAfter) {
    this.idleAfterMs = idleAfter.toMillis();
  }

  @Override
  public void init(ProcessorContext<String, Partial> context) {
    this.context = context;
    this.partition = context.taskId().partition();
    this.partitionTime = context.currentStreamTimeMs();
    this.lastEventWallMs = context.currentSystemTimeMs();
    this.store = context.getStateStore(PARTIALS_STORE);
    try (var restored = store.all()) {
      restored.forEachRemaining(kv -> { // committed but not yet sent
        partials.put(kv.key, kv.value);
        stored.add(kv.key);
      });
    }
    context.<CommitHook>getStateStore(COMMIT_HOOK).onCommit(this::writePartials);
    context.schedule(FORWARD_EVERY, PunctuationType.WALL_CLOCK_TIME, this::forward);
  }

  @Override
  public void process(Record<String, LifecycleEvent> record) {
    LifecycleEvent event = record.value();
    partitionTime = Math.max(partitionTime, record.timestamp());
    lastEventWallMs = context.currentSystemTimeMs();
    if (event != null && event.status().isTerminal()) {
      String key = event.type().wireName() + "|" + Math.floorDiv(record.timestamp(), 1000) * 1000;
      partials.computeIfAbsent(key, k -> new WindowAggregate()).add(event);
      unwritten.add(key);
    }
  }

  private void writePartials() {
    for (String key : unwritten) {
      store.put(key, partials.get(key));
      stored.add(key);
    }
    unwritten.clear();
  }

  private void forward(long nowMs) {
    for (Map.Entry<String, WindowAggregate> e : partials.entrySet()) {
      String key = e.getKey();
      int bar = key.indexOf('|');
      long bucket = Long.parseLong(key.substring(bar + 1));
      context.forward(new Record<>(key.substring(0, bar), Partial.of(partition, bucket, e.getValue()), bucket));
      unwritten.remove(key);
      // also when it grew since it was written: a stale partial left in the store would be sent
      // again, its events counted twice, by the task that restores the store after a restart
      if (stored.remove(key)) {
        store.delete(key);
      }
    }
    partials.clear();
    long quietMs = nowMs - lastEventWallMs;
    boolean idle = quietMs >= idleAfterMs;
    // an idle partition has caught up and heard nothing for quietMs: its next event, whenever a job
    // completes, comes at least that much later in event time — so its time moves on with the clock
    // (a partition that never had an event has no time: -1, and holds nothing open once idle)
    long time = idle && partitionTime >= 0 ? partitionTime + quietMs : partitionTime;
    for (JobType type : JobType.values()) {
      context.forward(new Record<>(type.wireName(), Partial.heartbeat(partition, time, idle), time >= 0 ? time : nowMs));
    }
  }
}

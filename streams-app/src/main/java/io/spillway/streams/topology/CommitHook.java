package io.spillway.streams.topology;

import java.util.Map;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * A state store that holds nothing and runs an action at the start of every task commit, while
 * the commit's transaction is still open: the windowing processor uses it to write the aggregates
 * it keeps in memory into its changelogged window stores, so that they are committed together
 * with the input offsets — exactly once, without paying a store write per event.
 *
 * <p>Kafka Streams flushes its record caches at exactly this point of a commit (before the record
 * collector flush and the offset commit); this store takes part in that step the way the caching
 * layer does, through the {@link CachedStateStore} interface. That interface is internal to
 * Kafka Streams, so this class is pinned to the Kafka Streams version in the parent POM and
 * covered by the TopologyTestDriver tests and the real-broker test of the streams app.
 */
final class CommitHook implements StateStore, CachedStateStore<Object, Object> {

  private final String name;
  private Runnable action = () -> {};
  private volatile boolean open;

  CommitHook(String name) {
    this.name = name;
  }

  /** The action to run before every commit of this task. */
  void onCommit(Runnable action) {
    this.action = action;
  }

  @Override
  public void flushCache() {
    action.run();
  }

  @Override
  public void clearCache() {}

  @Override
  public boolean setFlushListener(CacheFlushListener<Object, Object> listener, boolean sendOldValues) {
    return false;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    context.register(root, (key, value) -> {});
    open = true;
  }

  @Override
  public void close() {
    open = false;
  }

  @Override
  public boolean persistent() {
    return false;
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  /** Builds one hook per task; it has no changelog, since it keeps nothing. */
  static StoreBuilder<CommitHook> builder(String name) {
    return new StoreBuilder<>() {
      @Override
      public StoreBuilder<CommitHook> withCachingEnabled() {
        return this;
      }

      @Override
      public StoreBuilder<CommitHook> withCachingDisabled() {
        return this;
      }

      @Override
      public StoreBuilder<CommitHook> withLoggingEnabled(Map<String, String> config) {
        throw new UnsupportedOperationException("the commit hook keeps no state to log");
      }

      @Override
      public StoreBuilder<CommitHook> withLoggingDisabled() {
        return this;
      }

      @Override
      public CommitHook build() {
        return new CommitHook(name);
      }

      @Override
      public Map<String, String> logConfig() {
        return Map.of();
      }

      @Override
      public boolean loggingEnabled() {
        return false;
      }

      @Override
      public String name() {
        return name;
      }
    };
  }
}

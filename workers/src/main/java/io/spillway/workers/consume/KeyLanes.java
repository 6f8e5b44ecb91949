package io.spillway.workers.consume;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Key-ordered concurrency beyond the partition count: a batch is split into lanes by record key,
 * and the lanes run at once — the first on the calling thread, the others on the instance's
 * processing pool. Records of one key always share a lane and keep their order in it; each lane is
 * one PostgreSQL transaction. The caller commits offsets only once every lane is durable, so the
 * committed offset never passes a record whose result is not.
 */
final class KeyLanes {

  /** The work of one lane: the indices of its deliveries in the batch, in record order. */
  @FunctionalInterface
  interface Work {
    void run(List<Integer> indices) throws SQLException;
  }

  private final ExecutorService pool;
  private final int lanes;

  /**
   * @param pool the processing threads shared by the instance's consumers; null runs every lane on
   *     the calling thread
   * @param lanes how many lanes a batch is split into at most
   */
  KeyLanes(ExecutorService pool, int lanes) {
    this.pool = pool;
    this.lanes = Math.max(1, lanes);
  }

  /** The batch's indices by lane: the same key, the same lane; empty lanes left out. */
  List<List<Integer>> split(List<Delivery> deliveries) {
    int n = Math.min(lanes, deliveries.size());
    List<List<Integer>> byLane = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byLane.add(new ArrayList<>());
    }
    for (int i = 0; i < deliveries.size(); i++) {
      byLane.get(Math.floorMod(deliveries.get(i).key().hashCode(), n)).add(i);
    }
    byLane.removeIf(List::isEmpty);
    return byLane;
  }

  /** Runs every lane and waits for all of them; the failure of each lane, null where it succeeded. */
  List<SQLException> runAll(List<List<Integer>> byLane, Work work) {
    List<Future<SQLException>> others = new ArrayList<>();
    for (int i = 1; i < byLane.size(); i++) {
      List<Integer> lane = byLane.get(i);
      others.add(pool == null ? java.util.concurrent.CompletableFuture.completedFuture(attempt(work, lane)) : pool.submit(() -> attempt(work, lane)));
    }
    List<SQLException> failures = new ArrayList<>(byLane.size());
    failures.add(byLane.isEmpty() ? null : attempt(work, byLane.getFirst()));
    for (Future<SQLException> f : others) {
      failures.add(await(f));
    }
    return failures;
  }

  private static SQLException attempt(Work work, List<Integer> lane) {
    try {
      work.run(lane);
      return null;
    } catch (SQLException e) {
      return e;
    }
  }

  private static SQLException await(Future<SQLException> lane) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return lane.get();
        } catch (InterruptedException e) {
          // the lane holds a transaction: let it finish before the consumer stops
          interrupted = true;
        } catch (ExecutionException e) {
          if (e.getCause() instanceof RuntimeException r) {
            throw r;
          }
          throw new IllegalStateException(e.getCause());
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}

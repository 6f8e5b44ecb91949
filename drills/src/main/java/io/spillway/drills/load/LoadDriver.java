package io.spillway.drills.load;

import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives a steady arrival rate of jobs through a {@link DrillClient} and records every outcome.
 * Payments of one account are submitted one after another, each after the previous one was
 * answered, so that the acknowledgement order is the order the ledger must keep.
 */
public final class LoadDriver implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LoadDriver.class);

  private final DrillClient client;
  private final History history;
  private final Workload workload;
  private final int rate;
  private final ExecutorService predictions = Executors.newVirtualThreadPerTaskExecutor();
  private final Map<String, ExecutorService> accounts = new ConcurrentHashMap<>();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong answered = new AtomicLong();
  private final AtomicLong acknowledged = new AtomicLong();

  public LoadDriver(DrillClient client, History history, Workload workload, int rate) {
    this.client = client;
    this.history = history;
    this.workload = workload;
    this.rate = rate;
  }

  /** Sends at the configured rate for the duration, printing one progress line a second. */
  public void run(Duration duration) {
    SplittableRandom random = new SplittableRandom(42);
    long intervalNanos = 1_000_000_000L / rate;
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    long nextProgress = start + 1_000_000_000L;
    for (long seq = 0; ; seq++) {
      long due = start + seq * intervalNanos;
      if (due >= end) {
        break;
      }
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      submit(seq, workload.next(random));
      if (System.nanoTime() >= nextProgress) {
        nextProgress += 1_000_000_000L;
        log.info(
            "load: {}s sent {} answered {} acknowledged {} in flight {}",
            (System.nanoTime() - start) / 1_000_000_000L, sent.get(), answered.get(), acknowledged.get(),
            sent.get() - answered.get());
      }
    }
  }

  private void submit(long seq, Workload.Job job) {
    sent.incrementAndGet();
    String key = UUID.randomUUID().toString();
    Runnable send =
        () -> {
          try {
            Outcome outcome = client.submit(seq, key, job.type(), job.accountId(), job.amountMinor(), job.body());
            history.record(outcome);
            if (outcome.acknowledged()) {
              acknowledged.incrementAndGet();
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } finally {
            answered.incrementAndGet();
          }
        };
    if (job.accountId() == null) {
      predictions.execute(send);
    } else {
      accounts
          .computeIfAbsent(job.accountId(), a -> Executors.newSingleThreadExecutor(Thread.ofVirtual().factory()))
          .execute(send);
    }
  }

  /** Waits until every request has its final answer (retries included). */
  public boolean awaitAnswers(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (answered.get() < sent.get() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    return answered.get() >= sent.get();
  }

  public long sent() {
    return sent.get();
  }

  public long acknowledged() {
    return acknowledged.get();
  }

  @Override
  public void close() throws InterruptedException {
    predictions.shutdown();
    accounts.values().forEach(ExecutorService::shutdown);
    predictions.awaitTermination(10, TimeUnit.SECONDS);
  }
}

package io.spillway.ingest.submit;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The produces still awaiting the broker's acknowledgement, oldest first. Each is answered by the
 * broker or, once older than the timeout, by {@link #expire(long)} — one sweep over the head of a
 * queue instead of a timer per request: sends are queued in the order they are made, so the sweep
 * stops at the first unanswered produce that is not yet overdue, and every answered produce costs
 * one queue node and one poll.
 */
final class PendingAcks {

  /** A produce's acknowledgement, and when it was sent. */
  static final class Ack extends CompletableFuture<RecordMetadata> {
    private final long sentNanos;

    private Ack(long sentNanos) {
      this.sentNanos = sentNanos;
    }
  }

  /** The broker did not acknowledge in time; its record may still be written later. */
  static final class Overdue extends RuntimeException {
    Overdue(long timeoutMillis) {
      super("Kafka did not acknowledge the job within " + timeoutMillis + " ms", null, false, false);
    }
  }

  private final ConcurrentLinkedQueue<Ack> queue = new ConcurrentLinkedQueue<>();
  private final long timeoutNanos;

  PendingAcks(java.time.Duration timeout) {
    this.timeoutNanos = timeout.toNanos();
  }

  /** A new pending acknowledgement for a produce sent at {@code nowNanos}. */
  Ack add(long nowNanos) {
    Ack ack = new Ack(nowNanos);
    queue.offer(ack);
    return ack;
  }

  /**
   * Fails every produce sent more than the timeout before {@code nowNanos} with {@link Overdue},
   * and forgets the answered ones ahead of the first still awaited in time. Returns how many it
   * failed.
   */
  synchronized int expire(long nowNanos) {
    int failed = 0;
    for (Ack head = queue.peek(); head != null; head = queue.peek()) {
      if (!head.isDone()) {
        if (nowNanos - head.sentNanos < timeoutNanos) {
          break;
        }
        if (head.completeExceptionally(new Overdue(timeoutNanos / 1_000_000))) {
          failed++;
        }
      }
      queue.poll();
    }
    return failed;
  }

  /** Fails every produce still awaited with {@code error}; returns how many. */
  synchronized int failAll(Throwable error) {
    int failed = 0;
    for (Ack ack = queue.poll(); ack != null; ack = queue.poll()) {
      if (ack.completeExceptionally(error)) {
        failed++;
      }
    }
    return failed;
  }
}

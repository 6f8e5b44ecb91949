package io.spillway.schemas;

/** Where a job stands. Every accepted job ends in one of the three terminal states. */
public enum JobStatus {
  /** Accepted and durable in Kafka; no worker has started it. */
  QUEUED,
  /** A worker has started it. */
  RUNNING,
  /** Done; for a payment this includes a decline, which is a result, not an error. */
  SUCCEEDED,
  /** A permanent error (for example an unknown account); retrying would not help. */
  FAILED,
  /** Transient errors outlasted the retries; the record waits in {@code jobs.dlq}. */
  DEAD_LETTERED;

  public boolean isTerminal() {
    return this == SUCCEEDED || this == FAILED || this == DEAD_LETTERED;
  }
}

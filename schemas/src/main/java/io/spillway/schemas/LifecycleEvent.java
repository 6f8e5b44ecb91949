package io.spillway.schemas;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One transition of a job, published to {@code jobs.events} keyed by job id. A RUNNING event
 * marks the start; a terminal event carries every timing, from which the streams app derives
 * queue wait, processing time and end-to-end latency.
 *
 * @param jobId the job
 * @param tenant its tenant
 * @param type its type
 * @param status the state it entered
 * @param attempt the attempt this transition belongs to
 * @param submittedAt when the ingest API accepted it
 * @param enqueuedAt the Kafka record timestamp of the delivery being processed
 * @param startedAt when a worker started this attempt, or null before that
 * @param completedAt when it reached the terminal state, or null if not terminal
 * @param cacheHit whether a prediction was served from the cache
 * @param errorCode the error code of a FAILED or DEAD_LETTERED job, else null
 */
public record LifecycleEvent(
    String jobId,
    String tenant,
    JobType type,
    JobStatus status,
    int attempt,
    Instant submittedAt,
    Instant enqueuedAt,
    Instant startedAt,
    Instant completedAt,
    boolean cacheHit,
    String errorCode) {

  public LifecycleEvent {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(submittedAt, "submittedAt");
    if (status.isTerminal() && completedAt == null) {
      throw new IllegalArgumentException("a terminal event needs completedAt");
    }
  }

  /** Time spent in Kafka before a worker started it: enqueued → started. */
  public Optional<Duration> queueWait() {
    return between(enqueuedAt, startedAt);
  }

  /** Time a worker spent on it: started → completed. */
  public Optional<Duration> processing() {
    return between(startedAt, completedAt);
  }

  /** What the client waited: submitted → completed. */
  public Optional<Duration> endToEnd() {
    return between(submittedAt, completedAt);
  }

  private static Optional<Duration> between(Instant from, Instant to) {
    if (from == null || to == null) {
      return Optional.empty();
    }
    Duration d = Duration.between(from, to);
    return Optional.of(d.isNegative() ? Duration.ZERO : d);
  }
}

package io.spillway.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;

/**
 * A job's state as clients read it; the workers write it to Redis (and the same facts to the
 * PostgreSQL {@code jobs} row), the ingest API serves it from either.
 *
 * @param jobId the job id
 * @param tenant the owning tenant (never shown to another tenant)
 * @param type the job type
 * @param status where it stands
 * @param result the {@link PaymentResult} or {@link PredictionResult} as JSON, once SUCCEEDED
 * @param error why it FAILED or was DEAD_LETTERED
 * @param submittedAt when it was accepted
 * @param startedAt when a worker last started it
 * @param completedAt when it reached a terminal state
 * @param attempts how many deliveries it took
 */
public record JobView(
    String jobId,
    String tenant,
    JobType type,
    JobStatus status,
    JsonNode result,
    JobError error,
    Instant submittedAt,
    Instant startedAt,
    Instant completedAt,
    int attempts) {

  public JobView {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(submittedAt, "submittedAt");
  }
}

package io.spillway.schemas;

import java.time.Instant;
import java.util.Objects;

/**
 * A job as it travels through Kafka: who submitted what, when, and how often it was tried.
 *
 * @param jobId the job id the client polls with
 * @param tenant the tenant that owns the job
 * @param type the job type; fixes the payload record
 * @param submittedAt when the ingest API accepted the request
 * @param attempt 1 for the first delivery, counting up with each retry
 * @param payload the job input
 */
public record JobEnvelope(
    String jobId, String tenant, JobType type, Instant submittedAt, int attempt, JobPayload payload) {

  public JobEnvelope {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(submittedAt, "submittedAt");
    Objects.requireNonNull(payload, "payload");
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be at least 1: " + attempt);
    }
    if (payload.jobType() != type) {
      throw new IllegalArgumentException("a " + type + " job cannot carry " + payload.jobType());
    }
  }

  /** A first attempt of a new job. */
  public static JobEnvelope first(String jobId, String tenant, Instant submittedAt, JobPayload p) {
    return new JobEnvelope(jobId, tenant, p.jobType(), submittedAt, 1, p);
  }

  /** The same job, one attempt further. */
  public JobEnvelope nextAttempt() {
    return new JobEnvelope(jobId, tenant, type, submittedAt, attempt + 1, payload);
  }

  /** The same job with its attempt count reset, as a DLQ redrive sends it. */
  public JobEnvelope withAttempt(int newAttempt) {
    return new JobEnvelope(jobId, tenant, type, submittedAt, newAttempt, payload);
  }

  /** The Kafka record key. */
  public String key() {
    return payload.partitionKey();
  }
}

package io.spillway.workers.consume;

import io.spillway.schemas.JobError;
import io.spillway.schemas.JobResult;

/** What processing one job came to. */
public sealed interface Outcome {

  /** Done; a declined payment is a success too. */
  record Succeeded(JobResult result, boolean cacheHit) implements Outcome {}

  /** A permanent error: retrying cannot help (e.g. a closed account). */
  record Failed(JobError error) implements Outcome {}

  /** A transient error: try again later through {@code jobs.retry}, or dead-letter after the last attempt. */
  record Retry(JobError error) implements Outcome {}
}

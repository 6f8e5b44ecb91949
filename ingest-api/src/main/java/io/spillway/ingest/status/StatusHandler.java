package io.spillway.ingest.status;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spillway.ingest.http.Problem;
import io.spillway.ingest.http.Responses;
import io.spillway.ingest.jobs.JobIds;
import io.spillway.schemas.JobView;
import io.spillway.schemas.Json;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

/**
 * {@code GET /v1/jobs/{id}[?waitMs=N]}: the job's state. With {@code waitMs} it long-polls until
 * the job is terminal or the time is up (at most 30 s); the wait is a timer, not a blocked thread.
 * An id that is malformed or another tenant's reads 404.
 */
public final class StatusHandler {

  /** The longest a long-poll may wait. */
  public static final long MAX_WAIT_MS = 30_000;

  private static final long POLL_INTERVAL_MS = 100;

  private final Vertx vertx;
  private final JobIds ids;
  private final JobStatusReader reader;
  private final ExecutorService blocking;

  /** Set when the API stops: a long poll answers with the state it finds instead of waiting on. */
  private volatile boolean stopping;

  public StatusHandler(Vertx vertx, JobIds ids, JobStatusReader reader, ExecutorService blocking) {
    this.vertx = vertx;
    this.ids = ids;
    this.reader = reader;
    this.blocking = blocking;
  }

  /** Long polls answer at their next look (within the poll interval) with the job's current state. */
  public void stopWaiting() {
    stopping = true;
  }

  public void status(HttpServerRequest request, String tenant, String jobId) {
    Optional<JobIds.Decoded> decoded = ids.decode(tenant, jobId);
    if (decoded.isEmpty()) {
      Responses.problem(request, Problem.of(Problem.Kind.NOT_FOUND, "no job " + jobId));
      return;
    }
    long waitMs;
    String wait = request.getParam("waitMs");
    try {
      waitMs = wait == null ? 0 : Long.parseLong(wait);
    } catch (NumberFormatException e) {
      waitMs = -1;
    }
    if (waitMs < 0 || waitMs > MAX_WAIT_MS) {
      Responses.problem(request, Problem.of(Problem.Kind.INVALID_REQUEST, "waitMs must be an integer from 0 to " + MAX_WAIT_MS));
      return;
    }
    long deadline = System.currentTimeMillis() + waitMs;
    lookUp(request, tenant, jobId, decoded.get(), deadline, vertx.getOrCreateContext());
  }

  private void lookUp(HttpServerRequest request, String tenant, String jobId, JobIds.Decoded decoded, long deadline, Context context) {
    blocking.execute(
        () -> {
          Optional<JobView> view = reader.read(tenant, jobId, decoded);
          context.runOnContext(
              v -> {
                if (view.isEmpty()) {
                  Responses.problem(request, Problem.of(Problem.Kind.NOT_FOUND, "no job " + jobId));
                } else if (view.get().status().isTerminal()
                    || stopping
                    || System.currentTimeMillis() + POLL_INTERVAL_MS > deadline
                    || request.response().closed()) {
                  Responses.json(request, 200, toJson(view.get()));
                } else {
                  vertx.setTimer(POLL_INTERVAL_MS, t -> lookUp(request, tenant, jobId, decoded, deadline, context));
                }
              });
        });
  }

  /** The public shape of a job: never its tenant. */
  static ObjectNode toJson(JobView job) {
    ObjectNode json = Json.mapper().createObjectNode();
    json.put("jobId", job.jobId());
    json.put("type", job.type().wireName());
    json.put("status", job.status().name());
    if (job.result() != null) {
      json.set("result", job.result());
    }
    if (job.error() != null) {
      json.set("error", Json.mapper().valueToTree(job.error()));
    }
    if (job.submittedAt() != null && !job.submittedAt().equals(Instant.EPOCH)) {
      json.put("submittedAt", job.submittedAt().toString());
    }
    if (job.startedAt() != null) {
      json.put("startedAt", job.startedAt().toString());
    }
    if (job.completedAt() != null) {
      json.put("completedAt", job.completedAt().toString());
    }
    json.put("attempts", job.attempts());
    return json;
  }
}

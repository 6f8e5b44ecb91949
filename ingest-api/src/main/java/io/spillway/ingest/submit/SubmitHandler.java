package io.spillway.ingest.submit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.spillway.ingest.http.Problem;
import io.spillway.ingest.http.Responses;
import io.spillway.ingest.jobs.JobIds;
import io.spillway.ingest.limits.IdempotencyRecords;
import io.spillway.ingest.limits.RateLimiter;
import io.spillway.schemas.JobEnvelope;
import io.spillway.schemas.JobType;
import io.spillway.schemas.Json;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/jobs/{type}}: validates, produces, and answers 202 from the producer's callback
 * on the request's own event loop — or 503 with Retry-After when Kafka cannot take the job now.
 * Nothing is produced for a rejected request.
 */
public final class SubmitHandler {

  private static final Logger log = LoggerFactory.getLogger(SubmitHandler.class);

  private final Vertx vertx;
  private final JobParser parser;
  private final JobProducer producer;
  private final JobIds ids;
  private final Clock clock;
  private final Duration produceTimeout;
  private final MeterRegistry meters;
  private final RateLimiter rateLimiter;
  private final IdempotencyRecords idempotency;
  private final ExecutorService blocking;
  private final int predictionLimit;
  private final int paymentLimit;

  /** The collaborators and limits of a submit. */
  public record Limits(RateLimiter rateLimiter, IdempotencyRecords idempotency, ExecutorService blocking, int maxInFlight, double paymentReserve) {}

  public SubmitHandler(
      Vertx vertx, JobParser parser, JobProducer producer, JobIds ids, Clock clock, Duration produceTimeout, MeterRegistry meters, Limits limits) {
    this.vertx = vertx;
    this.parser = parser;
    this.producer = producer;
    this.ids = ids;
    this.clock = clock;
    this.produceTimeout = produceTimeout;
    this.meters = meters;
    this.rateLimiter = limits.rateLimiter();
    this.idempotency = limits.idempotency();
    this.blocking = limits.blocking();
    this.paymentLimit = limits.maxInFlight();
    // predictions are shed first: they may use only the share of capacity payments do not reserve
    this.predictionLimit = Math.max(1, (int) (limits.maxInFlight() * (1 - limits.paymentReserve())));
  }

  /** Applies the tenant's rate limit, sets the RateLimit headers; false (and 429 sent) when over. */
  public boolean withinRate(HttpServerRequest request, String tenant, int cost) {
    RateLimiter.Decision d = rateLimiter.acquire(tenant, cost, System.nanoTime());
    if (d.limit() > 0) {
      request.response()
          .putHeader("RateLimit-Policy", "\"tenant\";q=" + d.limit() + ";w=1")
          .putHeader("RateLimit", "\"tenant\";r=" + d.remaining() + ";t=" + (d.allowed() ? 0 : d.retryAfterSeconds()));
    }
    if (!d.allowed()) {
      meters.counter("spillway.ingest.shed", "reason", "rate-limit").increment();
      Responses.problem(request, Problem.of(Problem.Kind.RATE_LIMITED, "tenant over its limit of " + d.limit() + " jobs/s"), (int) d.retryAfterSeconds());
    }
    return d.allowed();
  }

  /** Handles a body that was read and found within limits. */
  public void submit(HttpServerRequest request, String tenant, JobType type, byte[] body) {
    String idempotencyKey = request.getHeader("Idempotency-Key");
    if (idempotencyKey != null && (idempotencyKey.isEmpty() || idempotencyKey.length() > 255 || !idempotencyKey.matches("[\\x21-\\x7e]+"))) {
      Responses.problem(request, Problem.of(Problem.Kind.INVALID_REQUEST, "Idempotency-Key must be 1 to 255 visible ASCII characters"));
      return;
    }
    switch (parser.parse(type, body)) {
      case JobParser.Parsed.Bad bad -> {
        meters.counter("spillway.ingest.rejected", "type", type.wireName(), "reason", bad.problem().kind().name().toLowerCase(java.util.Locale.ROOT)).increment();
        Responses.problem(request, bad.problem());
      }
      case JobParser.Parsed.Ok ok -> {
        var now = clock.instant();
        if (idempotencyKey == null) {
          produce(request, JobEnvelope.first(ids.newId(tenant, type, now), tenant, now, ok.payload()));
          return;
        }
        JobEnvelope job = JobEnvelope.first(ids.idempotentId(tenant, type, idempotencyKey), tenant, now, ok.payload());
        String fingerprint = IdempotencyRecords.sha256(type.wireName() + "\n" + Json.mapper().valueToTree(ok.payload()));
        Context context = vertx.getOrCreateContext();
        blocking.execute(() -> {
          IdempotencyRecords.Verdict verdict = idempotency.check(tenant, idempotencyKey, fingerprint);
          context.runOnContext(v -> {
            if (verdict == IdempotencyRecords.Verdict.CONFLICT) {
              meters.counter("spillway.ingest.rejected", "type", type.wireName(), "reason", "idempotency_conflict").increment();
              Responses.problem(request, Problem.of(Problem.Kind.IDEMPOTENCY_CONFLICT, "this Idempotency-Key was first used with a different request"));
            } else {
              produce(request, job);
            }
          });
        });
      }
    }
  }

  private void produce(HttpServerRequest request, JobEnvelope job) {
    Context context = vertx.getOrCreateContext();
    String traceparent = Traceparent.acceptOrStart(request.getHeader("traceparent"));
    AtomicBoolean answered = new AtomicBoolean();
    try {
      producer
          .send(job, traceparent, job.type() == JobType.PAYMENT ? paymentLimit : predictionLimit)
          .whenComplete(
              (metadata, error) ->
                  context.runOnContext(
                      v -> {
                        if (!answered.compareAndSet(false, true)) {
                          return;
                        }
                        if (error == null) {
                          accepted(request, job, traceparent);
                        } else {
                          log.warn("Kafka did not acknowledge job {}: {}", job.jobId(), error.toString());
                          shed(request, "kafka", "Kafka did not acknowledge the job; retry with the same Idempotency-Key");
                        }
                      }));
    } catch (JobProducer.Refused refused) {
      answered.set(true);
      shed(request, refused.reason(), refused.getMessage());
      return;
    }
    vertx.setTimer(
        produceTimeout.toMillis(),
        t -> {
          if (answered.compareAndSet(false, true)) {
            shed(request, "timeout", "Kafka did not acknowledge the job in time; retry with the same Idempotency-Key");
          }
        });
  }

  private void accepted(HttpServerRequest request, JobEnvelope job, String traceparent) {
    meters.counter("spillway.ingest.accepted", "type", job.type().wireName()).increment();
    String statusUrl = "/v1/jobs/" + job.jobId();
    ObjectNode body = Json.mapper().createObjectNode();
    body.put("jobId", job.jobId());
    body.put("type", job.type().wireName());
    body.put("status", "QUEUED");
    body.put("statusUrl", statusUrl);
    request.response().putHeader("Location", statusUrl).putHeader("traceparent", traceparent);
    Responses.json(request, 202, body);
  }

  private void shed(HttpServerRequest request, String reason, String detail) {
    meters.counter("spillway.ingest.shed", "reason", reason).increment();
    Responses.problem(request, Problem.of(Problem.Kind.OVERLOADED, detail), 1);
  }
}

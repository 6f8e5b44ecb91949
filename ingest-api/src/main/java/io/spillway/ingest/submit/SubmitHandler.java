package io.spillway.ingest.submit;

import io.spillway.ingest.http.Problem;
import io.spillway.ingest.http.Responses;
import io.spillway.ingest.jobs.JobIds;
import io.spillway.ingest.limits.IdempotencyRecords;
import io.spillway.ingest.limits.RateLimiter;
import io.spillway.schemas.JobEnvelope;
import io.spillway.schemas.JobType;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/jobs/{type}}: validates, produces, and answers 202 from the producer's callback
 * on the request's own event loop — or 503 with Retry-After when Kafka cannot take the job now.
 * Nothing is produced for a rejected request.
 */
public final class SubmitHandler {

  private static final Logger log = LoggerFactory.getLogger(SubmitHandler.class);
  private static final CharSequence IDEMPOTENCY_KEY = HttpHeaders.createOptimized("Idempotency-Key");
  private static final CharSequence TRACEPARENT = HttpHeaders.createOptimized("traceparent");
  private static final CharSequence RATE_LIMIT = HttpHeaders.createOptimized("RateLimit");
  private static final CharSequence RATE_LIMIT_POLICY = HttpHeaders.createOptimized("RateLimit-Policy");

  private final Vertx vertx;
  private final JobParser parser;
  private final JobProducer producer;
  private final JobIds ids;
  private final Clock clock;
  private final JobCounters counters;
  private final RateLimiter rateLimiter;
  private final IdempotencyRecords idempotency;
  private final ExecutorService blocking;
  private final Limits limits;
  /** The RateLimit-Policy value of each configured limit, encoded once. */
  private final Map<Long, CharSequence> policies = new ConcurrentHashMap<>();

  /** The collaborators and limits of a submit, single or batched. */
  public record Limits(RateLimiter rateLimiter, IdempotencyRecords idempotency, ExecutorService blocking, int maxInFlight, double paymentReserve) {

    /**
     * The produces in flight past which a job of this type is refused: payments may use all of
     * them, predictions only the share payments do not reserve, so predictions are shed first.
     */
    public int inFlightLimit(JobType type) {
      return type == JobType.PAYMENT ? maxInFlight : Math.max(1, (int) (maxInFlight * (1 - paymentReserve)));
    }
  }

  public SubmitHandler(
      Vertx vertx, JobParser parser, JobProducer producer, JobIds ids, Clock clock, JobCounters counters, Limits limits) {
    this.vertx = vertx;
    this.parser = parser;
    this.producer = producer;
    this.ids = ids;
    this.clock = clock;
    this.counters = counters;
    this.rateLimiter = limits.rateLimiter();
    this.idempotency = limits.idempotency();
    this.blocking = limits.blocking();
    this.limits = limits;
  }

  /** Applies the tenant's rate limit, sets the RateLimit headers; false (and 429 sent) when over. */
  public boolean withinRate(HttpServerRequest request, String tenant, int cost) {
    RateLimiter.Decision d = rateLimiter.acquire(tenant, cost, System.nanoTime());
    if (d.limit() > 0) {
      request.response()
          .putHeader(RATE_LIMIT_POLICY, policies.computeIfAbsent(d.limit(), limit -> HttpHeaders.createOptimized("\"tenant\";q=" + limit + ";w=1")))
          .putHeader(RATE_LIMIT, "\"tenant\";r=" + d.remaining() + ";t=" + (d.allowed() ? 0 : d.retryAfterSeconds()));
    }
    if (!d.allowed()) {
      counters.shed("rate-limit");
      String detail = cost > d.limit()
          // waiting does not help a batch larger than a second's worth: it must be split
          ? "a batch of " + cost + " jobs is more than the tenant's limit of " + d.limit() + " jobs/s lets through at once; send at most " + d.limit() + " per batch"
          : "tenant over its limit of " + d.limit() + " jobs/s";
      Responses.problem(request, Problem.of(Problem.Kind.RATE_LIMITED, detail), (int) d.retryAfterSeconds());
    }
    return d.allowed();
  }

  /** Handles a body that was read and found within limits. */
  public void submit(HttpServerRequest request, String tenant, JobType type, byte[] body) {
    String idempotencyKey = request.getHeader(IDEMPOTENCY_KEY);
    if (idempotencyKey != null && !validIdempotencyKey(idempotencyKey)) {
      Responses.problem(request, Problem.of(Problem.Kind.INVALID_REQUEST, "Idempotency-Key must be 1 to 255 visible ASCII characters"));
      return;
    }
    switch (parser.parse(type, body)) {
      case JobParser.Parsed.Bad bad -> {
        counters.rejected(type, bad.problem().kind().name().toLowerCase(java.util.Locale.ROOT));
        Responses.problem(request, bad.problem());
      }
      case JobParser.Parsed.Ok ok -> {
        var now = clock.instant();
        if (idempotencyKey == null) {
          produce(request, JobEnvelope.first(ids.newId(tenant, type, now), tenant, now, ok.payload()));
          return;
        }
        JobEnvelope job = JobEnvelope.first(ids.idempotentId(tenant, type, idempotencyKey), tenant, now, ok.payload());
        String fingerprint = IdempotencyRecords.fingerprint(type, ok.payload());
        Context context = vertx.getOrCreateContext();
        blocking.execute(() -> {
          IdempotencyRecords.Verdict verdict = idempotency.check(tenant, idempotencyKey, fingerprint);
          context.runOnContext(v -> {
            if (verdict == IdempotencyRecords.Verdict.CONFLICT) {
              counters.rejected(type, "idempotency_conflict");
              Responses.problem(request, Problem.of(Problem.Kind.IDEMPOTENCY_CONFLICT, "this Idempotency-Key was first used with a different request"));
            } else {
              produce(request, job);
            }
          });
        });
      }
    }
  }

  /** 1 to 255 visible ASCII characters (an Idempotency-Key header, or a batch item's key). */
  static boolean validIdempotencyKey(String key) {
    if (key.isEmpty() || key.length() > 255) {
      return false;
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }

  private void produce(HttpServerRequest request, JobEnvelope job) {
    Context context = vertx.getOrCreateContext();
    String traceparent = Traceparent.acceptOrStart(request.getHeader(TRACEPARENT));
    CompletableFuture<RecordMetadata> acked;
    try {
      acked = producer.send(job, traceparent, limits.inFlightLimit(job.type()));
    } catch (JobProducer.Refused refused) {
      shed(request, refused.reason(), refused.getMessage());
      return;
    }
    // answered on this request's event loop: by the acknowledgement, or by its failure — overdue
    // after the produce timeout (the producer's sweep, no timer per request) or the broker lost
    acked.whenComplete((metadata, error) -> context.runOnContext(v -> {
      if (error == null) {
        accepted(request, job, traceparent);
      } else if (JobProducer.isOverdue(error)) {
        shed(request, "timeout", "Kafka did not acknowledge the job in time; retry with the same Idempotency-Key");
      } else {
        if (JobProducer.isKafkaUnavailable(error)) {
          log.debug("Job {} answered 503: {}", job.jobId(), error.getMessage()); // counted in one WARN by JobProducer
        } else {
          log.warn("Kafka did not acknowledge job {}: {}", job.jobId(), error.toString());
        }
        shed(request, "kafka", "Kafka did not acknowledge the job; retry with the same Idempotency-Key");
      }
    }));
  }

  private void accepted(HttpServerRequest request, JobEnvelope job, String traceparent) {
    counters.accepted(job.type());
    String statusUrl = "/v1/jobs/" + job.jobId();
    request.response().putHeader(HttpHeaders.LOCATION, statusUrl).putHeader(TRACEPARENT, traceparent);
    Responses.json(request, 202, acceptedBody(job, statusUrl));
  }

  /**
   * {@code {"jobId", "type", "status": "QUEUED", "statusUrl"}}, written directly: job ids are
   * base64url and type names lower-case letters, so nothing needs escaping.
   */
  static Buffer acceptedBody(JobEnvelope job, String statusUrl) {
    // one string, encoded once: each appendString would encode (and allocate) its piece apart
    String body =
        "{\"jobId\":\"" + job.jobId() + "\",\"type\":\"" + job.type().wireName()
            + "\",\"status\":\"QUEUED\",\"statusUrl\":\"" + statusUrl + "\"}";
    return Buffer.buffer(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private void shed(HttpServerRequest request, String reason, String detail) {
    counters.shed(reason);
    Responses.problem(request, Problem.of(Problem.Kind.OVERLOADED, detail), 1);
  }
}

package io.spillway.ingest.submit;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spillway.ingest.http.Problem;
import io.spillway.ingest.http.Responses;
import io.spillway.ingest.jobs.JobIds;
import io.spillway.ingest.limits.IdempotencyRecords;
import io.spillway.schemas.JobEnvelope;
import io.spillway.schemas.JobType;
import io.spillway.schemas.Json;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /v1/jobs/batch}: {@code {"jobs":[{"type":"payment","input":{…},"idempotencyKey":"…"},…]}}
 * with 1 to 500 items. Every valid item is produced; the answer (202) lists one entry per item in
 * order — accepted with its job id once the broker acknowledged it, or rejected with its own
 * problem (400 for a bad item, 422 for an idempotencyKey first used with another job, 503 when
 * Kafka could not take it). Items are admitted as single submits are: keys are checked the same
 * way, and predictions get only the in-flight share that payments do not reserve.
 */
public final class BatchHandler {

  public static final int MAX_ITEMS = 500;

  private final Vertx vertx;
  private final JobParser parser;
  private final JobProducer producer;
  private final JobIds ids;
  private final Clock clock;
  private final JobCounters counters;
  private final SubmitHandler.Limits limits;

  public BatchHandler(Vertx vertx, JobParser parser, JobProducer producer, JobIds ids, Clock clock, JobCounters counters, SubmitHandler.Limits limits) {
    this.vertx = vertx;
    this.parser = parser;
    this.producer = producer;
    this.ids = ids;
    this.clock = clock;
    this.counters = counters;
    this.limits = limits;
  }

  /** The number of items a body holds, for the rate limiter; empty when it is not a batch at all. */
  public Optional<JsonNode> items(HttpServerRequest request, byte[] body) {
    JsonNode json;
    try {
      json = Json.mapper().reader().with(StreamReadFeature.STRICT_DUPLICATE_DETECTION).readTree(body);
    } catch (JacksonException e) {
      Responses.problem(request, Problem.of(Problem.Kind.INVALID_JSON, "the body is not valid JSON"));
      return Optional.empty();
    } catch (java.io.IOException e) {
      Responses.problem(request, Problem.of(Problem.Kind.INVALID_JSON, "unreadable body"));
      return Optional.empty();
    }
    if (json == null || !json.isObject() || json.size() != 1 || !json.path("jobs").isArray()) {
      Responses.problem(request, Problem.field("/jobs", "the body must be {\"jobs\": [ … ]}"));
      return Optional.empty();
    }
    JsonNode jobs = json.get("jobs");
    if (jobs.isEmpty() || jobs.size() > MAX_ITEMS) {
      Responses.problem(request, Problem.field("/jobs", "a batch holds 1 to " + MAX_ITEMS + " jobs"));
      return Optional.empty();
    }
    return Optional.of(jobs);
  }

  public void submit(HttpServerRequest request, String tenant, JsonNode jobs) {
    Context context = vertx.getOrCreateContext();
    Instant now = clock.instant();
    String traceparent = Traceparent.acceptOrStart(request.getHeader("traceparent"));
    List<CompletableFuture<ObjectNode>> entries = new ArrayList<>();
    List<ValidItem> valid = new ArrayList<>();
    for (int i = 0; i < jobs.size(); i++) {
      entries.add(item(i, jobs.get(i), tenant, now, valid));
    }
    if (valid.stream().allMatch(item -> item.key() == null)) {
      produceInOrder(valid, Set.of(), traceparent);
    } else {
      checkKeysThenProduce(tenant, valid, traceparent, context);
    }
    CompletableFuture.allOf(entries.toArray(CompletableFuture[]::new))
        .thenRun(() -> context.runOnContext(v -> {
          ArrayNode results = Json.mapper().createArrayNode();
          for (int i = 0; i < entries.size(); i++) {
            results.add(entries.get(i).join()); // every entry is done, a failed produce as a rejection
          }
          ObjectNode body = Json.mapper().createObjectNode();
          body.set("results", results);
          Responses.json(request, 202, body);
        }));
  }

  /** An item that passed validation; {@code key} is its idempotencyKey, null without one. */
  private record ValidItem(int index, String key, JobEnvelope job, CompletableFuture<ObjectNode> entry) {}

  /**
   * Checks the batch's keys as a keyed submit's key is checked, all at once and in item order — of
   * two items with one key and different jobs, the first is taken and the second gets 422 — then
   * produces the valid items, keyed or not, in their order (a batch keeps an account's payments in
   * the order it lists them).
   */
  private void checkKeysThenProduce(String tenant, List<ValidItem> valid, String traceparent, Context context) {
    List<ValidItem> keyed = valid.stream().filter(item -> item.key() != null).toList();
    List<IdempotencyRecords.Use> uses = keyed.stream()
        .map(item -> new IdempotencyRecords.Use(item.key(), IdempotencyRecords.fingerprint(item.job().type(), item.job().payload()))).toList();
    limits.blocking().execute(() -> {
      List<IdempotencyRecords.Verdict> verdicts = limits.idempotency().checkAll(tenant, uses);
      Set<Integer> conflicts = new java.util.HashSet<>();
      for (int i = 0; i < keyed.size(); i++) {
        if (verdicts.get(i) == IdempotencyRecords.Verdict.CONFLICT) {
          conflicts.add(keyed.get(i).index());
        }
      }
      context.runOnContext(v -> produceInOrder(valid, conflicts, traceparent));
    });
  }

  /** Produces the valid items in order, but for those whose key was first used with another job (422). */
  private void produceInOrder(List<ValidItem> valid, Set<Integer> conflicts, String traceparent) {
    for (ValidItem item : valid) {
      if (conflicts.contains(item.index())) {
        counters.rejected(item.job().type(), "idempotency_conflict");
        item.entry().complete(rejected(item.index(), new Problem(Problem.Kind.IDEMPOTENCY_CONFLICT,
            "this idempotencyKey was first used with a different job", "/jobs/" + item.index() + "/idempotencyKey")));
      } else {
        produce(item.index(), item.job(), traceparent).thenAccept(item.entry()::complete);
      }
    }
  }

  /** Validates one item: its entry, done at once when it is rejected; a valid item joins {@code valid}. */
  private CompletableFuture<ObjectNode> item(int index, JsonNode item, String tenant, Instant now, List<ValidItem> valid) {
    String at = "/jobs/" + index;
    if (!item.isObject()) {
      return done(rejected(index, Problem.field(at, "each job must be an object")));
    }
    for (var names = item.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!Set.of("type", "input", "idempotencyKey").contains(name)) {
        return done(rejected(index, Problem.field(at + "/" + name, "unknown field '" + name + "'")));
      }
    }
    Optional<JobType> type = JobType.fromWireName(item.path("type").isTextual() ? item.path("type").textValue() : null);
    if (type.isEmpty() || !item.path("type").textValue().equals(type.get().wireName())) {
      return done(rejected(index, Problem.field(at + "/type", "type must be payment or prediction")));
    }
    JsonNode keyNode = item.get("idempotencyKey");
    if (keyNode != null && (!keyNode.isTextual() || !SubmitHandler.validIdempotencyKey(keyNode.textValue()))) {
      return done(rejected(index, Problem.field(at + "/idempotencyKey", "idempotencyKey must be 1 to 255 visible ASCII characters")));
    }
    JsonNode input = item.get("input");
    if (input == null) {
      return done(rejected(index, Problem.field(at + "/input", "input is required")));
    }
    return switch (parser.parse(type.get(), input)) {
      case JobParser.Parsed.Bad bad -> {
        counters.rejected(type.get(), bad.problem().kind().name().toLowerCase(java.util.Locale.ROOT));
        yield done(rejected(index,
            new Problem(bad.problem().kind(), bad.problem().detail(), at + "/input" + (bad.problem().field() == null ? "" : bad.problem().field()))));
      }
      case JobParser.Parsed.Ok ok -> {
        String key = keyNode == null ? null : keyNode.textValue();
        String jobId = key == null ? ids.newId(tenant, type.get(), now) : ids.idempotentId(tenant, type.get(), key);
        ValidItem validItem = new ValidItem(index, key, JobEnvelope.first(jobId, tenant, now, ok.payload()), new CompletableFuture<>());
        valid.add(validItem);
        yield validItem.entry();
      }
    };
  }

  /** Produces one item; the entry is its acceptance, or its rejection when Kafka cannot take it. */
  private CompletableFuture<ObjectNode> produce(int index, JobEnvelope job, String traceparent) {
    try {
      return producer.send(job, traceparent, limits.inFlightLimit(job.type()))
          .handle((metadata, error) -> error == null ? accepted(index, job) : notAcknowledged(index, error));
    } catch (JobProducer.Refused refused) {
      counters.shed(refused.reason());
      return done(rejected(index, Problem.of(Problem.Kind.OVERLOADED, refused.getMessage())));
    }
  }

  private ObjectNode accepted(int index, JobEnvelope job) {
    counters.accepted(job.type());
    ObjectNode entry = Json.mapper().createObjectNode();
    entry.put("index", index).put("status", 202).put("jobId", job.jobId()).put("type", job.type().wireName())
        .put("statusUrl", "/v1/jobs/" + job.jobId());
    return entry;
  }

  private ObjectNode notAcknowledged(int index, Throwable error) {
    boolean overdue = JobProducer.isOverdue(error);
    counters.shed(overdue ? "timeout" : "kafka");
    return rejected(index, Problem.of(Problem.Kind.OVERLOADED, overdue ? "Kafka did not acknowledge this job in time; retry it" : "Kafka did not acknowledge this job; retry it"));
  }

  private static ObjectNode rejected(int index, Problem problem) {
    ObjectNode entry = Json.mapper().createObjectNode();
    entry.put("index", index).put("status", problem.status());
    entry.set("problem", problem.toJson(null));
    return entry;
  }

  private static CompletableFuture<ObjectNode> done(ObjectNode entry) {
    return CompletableFuture.completedFuture(entry);
  }
}

package io.spillway.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.spillway.devstack.DevStack;
import io.spillway.devstack.DevStackExtension;
import io.spillway.schemas.JobStatus;
import io.spillway.schemas.JobType;
import io.spillway.schemas.JobView;
import io.spillway.schemas.Json;
import io.spillway.schemas.RedisKeys;
import io.spillway.schemas.SpillwayHeaders;
import io.spillway.schemas.Topics;
import io.spillway.schemas.env.SpillwayEnv;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.RedisClient;

/** The front door against a real broker, Redis and PostgreSQL (no workers: this is the API alone). */
@ExtendWith(DevStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IngestApiIT {

  private static final String KEY = "acme-key-0123456789";
  private static final String OTHER_KEY = "globex-key-0123456789";
  private static final String LIMITED_KEY = "tiny-key-0123456789";
  private static final String PAYMENT = "{\"accountId\":\"acc-1\",\"amountMinor\":1999,\"currency\":\"EUR\",\"merchantId\":\"m-42\"}";
  private static final String PREDICTION = "{\"model\":\"default\",\"features\":{\"a\":1}}";

  private DevStack stack;
  private Topics topics;
  private IngestApi api;
  private ApiClient client;
  private final Logger apiLogger = (Logger) LoggerFactory.getLogger("io.spillway.ingest");
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeAll
  void start(DevStack stack) {
    // everything the API logs while this class runs, its DEBUG lines included
    apiLogger.setLevel(Level.DEBUG);
    logs.start();
    apiLogger.addAppender(logs);
    this.stack = stack;
    this.topics = Topics.withPrefix("ingest-it.");
    stack.createTopics(topics);
    api = TestApi.start(stack, topics,
        Map.of(SpillwayEnv.API_KEYS, "acme:" + KEY + ",globex:" + OTHER_KEY + ",tiny:" + LIMITED_KEY, IngestConfig.RATE_LIMITS, "tiny:5"));
    client = new ApiClient(api);
  }

  @AfterAll
  void stop() {
    api.close();
    apiLogger.detachAppender(logs);
    apiLogger.setLevel(null);
  }

  static Stream<Arguments> badRequests() {
    String p = "/v1/jobs/payment";
    String q = "/v1/jobs/prediction";
    List<Arguments> cases = new ArrayList<>();
    // authentication
    cases.add(bad("no key", "POST", p, null, "application/json", PAYMENT, 401, "unauthorized"));
    cases.add(bad("unknown key", "POST", p, "Bearer nope-nope-nope", "application/json", PAYMENT, 401, "unauthorized"));
    cases.add(bad("basic auth", "POST", p, "Basic YWxhZGRpbjpvcGVuc2VzYW1l", "application/json", PAYMENT, 401, "unauthorized"));
    cases.add(bad("empty bearer", "POST", p, "Bearer ", "application/json", PAYMENT, 401, "unauthorized"));
    // routing and methods
    cases.add(bad("unknown job type", "POST", "/v1/jobs/refund", KEY, "application/json", PAYMENT, 404, "not-found"));
    cases.add(bad("unknown path", "POST", "/v2/jobs/payment", KEY, "application/json", PAYMENT, 404, "not-found"));
    cases.add(bad("GET on submit", "GET", p, KEY, null, null, 405, "method-not-allowed"));
    cases.add(bad("PUT on submit", "PUT", p, KEY, "application/json", PAYMENT, 405, "method-not-allowed"));
    cases.add(bad("DELETE on a job", "DELETE", "/v1/jobs/AQEAAAABogOrJNpDlfJQirDyaBy63HtxSKGvMfoWnXk", KEY, null, null, 405, "method-not-allowed"));
    cases.add(bad("POST on healthz", "POST", "/healthz", null, "application/json", "{}", 405, "method-not-allowed"));
    // media type and size
    cases.add(bad("text/plain", "POST", p, KEY, "text/plain", PAYMENT, 415, "unsupported-media-type"));
    cases.add(bad("form", "POST", p, KEY, "application/x-www-form-urlencoded", "a=1", 415, "unsupported-media-type"));
    cases.add(bad("no content type", "POST", p, KEY, null, PAYMENT, 415, "unsupported-media-type"));
    cases.add(bad("xml", "POST", q, KEY, "application/xml", "<a/>", 415, "unsupported-media-type"));
    cases.add(bad("body over 64 KiB", "POST", q, KEY, "application/json", "{\"model\":\"default\",\"features\":{\"a\":1},\"pad\":\"" + "x".repeat(70_000) + "\"}", 413, "payload-too-large"));
    // not JSON
    cases.add(bad("empty body", "POST", p, KEY, "application/json", "", 400, "invalid-json"));
    cases.add(bad("not json", "POST", p, KEY, "application/json", "hello", 400, "invalid-json"));
    cases.add(bad("truncated", "POST", p, KEY, "application/json", "{\"accountId\":", 400, "invalid-json"));
    cases.add(bad("NaN", "POST", q, KEY, "application/json", "{\"model\":\"default\",\"features\":{\"a\":NaN}}", 400, "invalid-json"));
    cases.add(bad("Infinity", "POST", q, KEY, "application/json", "{\"model\":\"default\",\"features\":{\"a\":Infinity}}", 400, "invalid-json"));
    cases.add(bad("duplicate field", "POST", p, KEY, "application/json", "{\"accountId\":\"a\",\"accountId\":\"b\",\"amountMinor\":1,\"currency\":\"EUR\",\"merchantId\":\"m\"}", 400, "invalid-json"));
    cases.add(bad("deep nesting", "POST", q, KEY, "application/json", "[".repeat(100) + "]".repeat(100), 400, "invalid-json"));
    cases.add(bad("trailing data", "POST", p, KEY, "application/json", PAYMENT + "{}", 400, "invalid-json"));
    byte[] invalidUtf8 = PAYMENT.replace("acc-1", "acc-\u00e9").getBytes(StandardCharsets.ISO_8859_1); // a lone 0xE9 byte
    cases.add(Arguments.of("invalid UTF-8", "POST", p, KEY, "application/json", invalidUtf8, 400, "invalid-json", new String[0]));
    // payment fields
    cases.add(bad("array body", "POST", p, KEY, "application/json", "[]", 400, "validation"));
    cases.add(bad("string body", "POST", p, KEY, "application/json", "\"payment\"", 400, "validation"));
    cases.add(bad("unknown field", "POST", p, KEY, "application/json", PAYMENT.replace("}", ",\"tip\":1}"), 400, "validation"));
    cases.add(bad("missing accountId", "POST", p, KEY, "application/json", "{\"amountMinor\":1,\"currency\":\"EUR\",\"merchantId\":\"m\"}", 400, "validation"));
    cases.add(bad("null accountId", "POST", p, KEY, "application/json", PAYMENT.replace("\"acc-1\"", "null"), 400, "validation"));
    cases.add(bad("numeric accountId", "POST", p, KEY, "application/json", PAYMENT.replace("\"acc-1\"", "17"), 400, "validation"));
    cases.add(bad("over-long accountId", "POST", p, KEY, "application/json", PAYMENT.replace("acc-1", "a".repeat(65)), 400, "validation"));
    cases.add(bad("amount as string", "POST", p, KEY, "application/json", PAYMENT.replace("1999", "\"1999\""), 400, "validation"));
    cases.add(bad("fractional amount", "POST", p, KEY, "application/json", PAYMENT.replace("1999", "19.99"), 400, "validation"));
    cases.add(bad("zero amount", "POST", p, KEY, "application/json", PAYMENT.replace("1999", "0"), 400, "validation"));
    cases.add(bad("negative amount", "POST", p, KEY, "application/json", PAYMENT.replace("1999", "-1"), 400, "validation"));
    cases.add(bad("amount over 10^12", "POST", p, KEY, "application/json", PAYMENT.replace("1999", "1000000000001"), 400, "validation"));
    cases.add(bad("amount over a long", "POST", p, KEY, "application/json", PAYMENT.replace("1999", "123456789012345678901234567890"), 400, "validation"));
    cases.add(bad("unknown currency", "POST", p, KEY, "application/json", PAYMENT.replace("EUR", "XYZ"), 400, "validation"));
    cases.add(bad("lower-case currency", "POST", p, KEY, "application/json", PAYMENT.replace("EUR", "eur"), 400, "validation"));
    cases.add(bad("missing merchantId", "POST", p, KEY, "application/json", "{\"accountId\":\"a\",\"amountMinor\":1,\"currency\":\"EUR\"}", 400, "validation"));
    // prediction fields
    cases.add(bad("unknown model", "POST", q, KEY, "application/json", "{\"model\":\"gpt\",\"features\":{\"a\":1}}", 400, "validation"));
    cases.add(bad("no features", "POST", q, KEY, "application/json", "{\"model\":\"default\",\"features\":{}}", 400, "validation"));
    cases.add(bad("features as array", "POST", q, KEY, "application/json", "{\"model\":\"default\",\"features\":[1,2]}", 400, "validation"));
    cases.add(bad("string feature", "POST", q, KEY, "application/json", "{\"model\":\"default\",\"features\":{\"a\":\"1\"}}", 400, "validation"));
    cases.add(bad("null feature", "POST", q, KEY, "application/json", "{\"model\":\"default\",\"features\":{\"a\":null}}", 400, "validation"));
    cases.add(bad("overflowing feature", "POST", q, KEY, "application/json", "{\"model\":\"default\",\"features\":{\"a\":1e400}}", 400, "validation"));
    cases.add(bad("257 features", "POST", q, KEY, "application/json", "{\"model\":\"default\",\"features\":{" + java.util.stream.IntStream.range(0, 257).mapToObj(i -> "\"f" + i + "\":1").collect(Collectors.joining(",")) + "}}", 400, "validation"));
    cases.add(bad("missing model", "POST", q, KEY, "application/json", "{\"features\":{\"a\":1}}", 400, "validation"));
    cases.add(bad("bad idempotency key", "POST", q, KEY, "application/json", PREDICTION, 400, "invalid-request", "Idempotency-Key", "has space"));
    cases.add(bad("malformed job id", "GET", "/v1/jobs/not-a-job", KEY, null, null, 404, "not-found"));
    return cases.stream();
  }

  private static Arguments bad(String name, String method, String path, String key, String type, String body, int status, String problem, String... headers) {
    return Arguments.of(name, method, path, key, type, body == null ? null : body.getBytes(StandardCharsets.UTF_8), status, problem, headers);
  }

  @Order(1)
  @ParameterizedTest(name = "{0} -> {6}")
  @MethodSource("badRequests")
  void badInputGetsItsProblemAndEnqueuesNothing(String name, String method, String path, String key, String type, byte[] body,
      int status, String problem, String[] headers) throws Exception {
    long before = endOffsets();
    HttpRequest.Builder request = HttpRequest.newBuilder(client.uri(path)).timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    if (key != null) {
      request.header("Authorization", key.startsWith("B") ? key : "Bearer " + key);
    }
    if (type != null) {
      request.header("Content-Type", type);
    }
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }

    HttpResponse<String> answer = client.send(request.build());

    assertThat(answer.statusCode()).isEqualTo(status);
    assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    JsonNode json = Json.mapper().readTree(answer.body());
    assertThat(json.path("type").asText()).isEqualTo("https://spillway.io/problems/" + problem);
    assertThat(json.path("status").asInt()).isEqualTo(status);
    if (status == 401) {
      assertThat(answer.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    }
    if (problem.equals("validation")) {
      assertThat(json.path("errors").get(0).path("pointer").isTextual()).isTrue();
    }
    assertThat(endOffsets()).as("nothing reached Kafka").isEqualTo(before);
  }

  @Order(2)
  @Test
  void onLinuxX8664TheEventLoopsRunOnNativeEpoll() {
    assumeTrue(System.getProperty("os.name").equals("Linux") && System.getProperty("os.arch").equals("amd64"), "epoll is shipped for Linux x86-64 only");
    assertThat(api.transport()).as("Netty's epoll transport loads from the shaded classifier jar").isEqualTo("epoll");
  }

  @Order(2)
  @Test
  void anAcceptedJobReadsQueuedForItsTenantAndNotFoundForAnother() throws Exception {
    HttpResponse<String> accepted = client.post("/v1/jobs/payment", KEY, PAYMENT, Map.of("X-Request-Id", "req-42"));
    String jobId = Json.mapper().readTree(accepted.body()).path("jobId").asText();

    assertThat(accepted.statusCode()).isEqualTo(202);
    assertThat(accepted.headers().firstValue("X-Request-Id")).hasValue("req-42");
    assertThat(accepted.headers().firstValue("Location")).hasValue("/v1/jobs/" + jobId);
    HttpResponse<String> mine = client.get("/v1/jobs/" + jobId, KEY);
    assertThat(mine.statusCode()).isEqualTo(200);
    assertThat(Json.mapper().readTree(mine.body()).path("status").asText()).isEqualTo("QUEUED");
    assertThat(Json.mapper().readTree(mine.body()).has("tenant")).isFalse();
    assertThat(client.get("/v1/jobs/" + jobId, OTHER_KEY).statusCode()).isEqualTo(404);
  }

  @Test
  void everyAnswerEchoesTheRequestsXRequestIdProblemsIncluded() throws Exception {
    HttpResponse<String> unauthorized = client.post("/v1/jobs/payment", "not-a-key", PAYMENT, Map.of("X-Request-Id", "req-401"));
    HttpResponse<String> invalid = client.post("/v1/jobs/payment", KEY, "{}", Map.of("X-Request-Id", "req-400"));
    HttpResponse<String> tooLong = client.post("/v1/jobs/payment", KEY, PAYMENT, Map.of("X-Request-Id", "r".repeat(201)));

    assertThat(unauthorized.statusCode()).isEqualTo(401);
    assertThat(unauthorized.headers().firstValue("X-Request-Id")).hasValue("req-401");
    assertThat(invalid.statusCode()).isEqualTo(400);
    assertThat(invalid.headers().firstValue("X-Request-Id")).hasValue("req-400");
    assertThat(tooLong.statusCode()).isEqualTo(202);
    assertThat(tooLong.headers().firstValue("X-Request-Id")).as("an id over 200 characters is not echoed").isEmpty();
  }

  @Order(2)
  @Test
  void theKafkaProducersOwnMetricsAreOnMetricsForOperators() throws Exception {
    double sentBefore = client.metricSum("kafka_producer_record_send_total{");
    assertThat(client.post("/v1/jobs/payment", KEY, PAYMENT, Map.of()).statusCode()).isEqualTo(202);

    assertThat(client.metricSum("kafka_producer_record_send_total{")).as("records sent, read at the scrape").isGreaterThan(sentBefore);
    assertThat(client.metricSum("kafka_producer_buffer_available_bytes{")).as("the send buffer left, what fills in a surge").isPositive();
    assertThat(client.get("/metrics", null).body()).contains("kafka_producer_batch_size_avg{", "kafka_producer_record_queue_time_avg{", "kafka_producer_request_latency_avg{");
  }

  @Order(5)
  @Test
  void requestsProducesAndSheddingAreOnMetricsAndNoApiKeyIs() throws Exception {
    assertThat(client.post("/v1/jobs/payment", KEY, PAYMENT, Map.of()).statusCode()).isEqualTo(202);

    String metrics = client.get("/metrics", null).body();
    assertThat(metrics).as("request rate and latency by route and status")
        .contains("spillway_ingest_requests_seconds_bucket{method=\"POST\",route=\"/v1/jobs/{type}\",status=\"202\"")
        .contains("spillway_ingest_requests_seconds_count{method=\"POST\",route=\"/v1/jobs/{type}\",status=\"400\"")
        .contains("spillway_ingest_produce_inflight ", "spillway_ingest_produce_latency_seconds_bucket{")
        .contains("spillway_ingest_shed_total{reason=\"rate-limit\"}", "spillway_ingest_shed_total{reason=\"buffer\"}");
    assertThat(client.metricSum("spillway_ingest_produce_latency_seconds_count")).isPositive();
    assertThat(metrics).doesNotContain(KEY, OTHER_KEY, LIMITED_KEY, "nope-nope-nope", "Bearer");
  }

  @Order(2)
  @Test
  void aTraceparentIsCarriedIntoTheKafkaHeadersAndOneIsStartedWhenNoneCame() throws Exception {
    String incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    HttpResponse<String> traced = client.post("/v1/jobs/payment", KEY, PAYMENT, Map.of("traceparent", incoming));
    HttpResponse<String> untraced = client.post("/v1/jobs/payment", KEY, PAYMENT, Map.of("traceparent", "not-a-traceparent"));

    assertThat(traced.headers().firstValue("traceparent")).hasValue(incoming);
    assertThat(kafkaHeader(topics.payment().name(), jobIdOf(traced), SpillwayHeaders.TRACEPARENT)).isEqualTo(incoming);
    String started = untraced.headers().firstValue("traceparent").orElseThrow();
    assertThat(started).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01").doesNotContain("4bf92f3577b34da6");
    assertThat(kafkaHeader(topics.payment().name(), jobIdOf(untraced), SpillwayHeaders.TRACEPARENT)).isEqualTo(started);
  }

  @Order(2)
  @Test
  void aWaitMsThatIsNotANumberFrom0To30000Is400() throws Exception {
    String jobId = jobIdOf(client.post("/v1/jobs/payment", KEY, PAYMENT, Map.of()));

    for (String waitMs : List.of("abc", "-1", "30001", "1.5")) {
      HttpResponse<String> answer = client.get("/v1/jobs/" + jobId + "?waitMs=" + waitMs, KEY);
      assertThat(answer.statusCode()).as("waitMs=" + waitMs).isEqualTo(400);
      assertThat(Json.mapper().readTree(answer.body()).path("type").asText()).endsWith("/invalid-request");
    }
    assertThat(client.get("/v1/jobs/" + jobId + "?waitMs=0", KEY).statusCode()).isEqualTo(200);
  }

  @Order(2)
  @Test
  void aBatchAnswersEveryItemAndProducesOnlyTheAcceptedOnes() throws Exception {
    client.post("/v1/jobs/payment", KEY, PAYMENT, Map.of("Idempotency-Key", "batch-key-1"));
    String batch = "{\"jobs\":["
        + "{\"type\":\"payment\",\"input\":" + PAYMENT + "},"
        + "{\"type\":\"payment\",\"input\":" + PAYMENT.replace("1999", "0") + "},"
        + "{\"type\":\"prediction\",\"input\":" + PREDICTION + ",\"idempotencyKey\":\"batch-key-2\"},"
        + "{\"type\":\"refund\",\"input\":{}},"
        + "{\"type\":\"payment\",\"input\":" + PAYMENT.replace("1999", "2999") + ",\"idempotencyKey\":\"batch-key-1\"},"
        + "{\"type\":\"payment\",\"input\":" + PAYMENT + ",\"idempotencyKey\":\"batch-key-1\"}"
        + "]}";
    long before = endOffsets();

    HttpResponse<String> answer = client.post("/v1/jobs/batch", KEY, batch, Map.of());

    assertThat(answer.statusCode()).isEqualTo(202);
    JsonNode results = Json.mapper().readTree(answer.body()).path("results");
    assertThat(results).hasSize(6);
    assertThat(results.valueStream().map(r -> r.path("status").asInt())).containsExactly(202, 400, 202, 400, 422, 202);
    assertThat(results.get(1).path("problem").path("errors").get(0).path("pointer").asText()).isEqualTo("/jobs/1/input/amountMinor");
    assertThat(results.get(3).path("problem").path("errors").get(0).path("pointer").asText()).isEqualTo("/jobs/3/type");
    assertThat(results.get(4).path("problem").path("type").asText()).endsWith("/idempotency-key-reused");
    assertThat(results.get(5).path("jobId").asText()).as("the key's job, as a keyed submit named it")
        .isEqualTo(jobIdOf(client.post("/v1/jobs/payment", KEY, PAYMENT, Map.of("Idempotency-Key", "batch-key-1"))));
    assertThat(client.get(results.get(2).path("statusUrl").asText(), KEY).statusCode()).isEqualTo(200);
    assertThat(endOffsets() - before).as("the accepted items, and the keyed submit made to compare").isEqualTo(4);
    String tooMany = "{\"jobs\":[" + String.join(",", java.util.Collections.nCopies(501, "{\"type\":\"prediction\",\"input\":" + PREDICTION + "}")) + "]}";
    assertThat(client.post("/v1/jobs/batch", KEY, tooMany, Map.of()).statusCode()).isEqualTo(400);
  }

  @Order(2)
  @Test
  void ofTwoBatchItemsWithOneKeyAndDifferentJobsTheFirstIsTakenAndTheSecondIs422() throws Exception {
    String key = "\"batch-twice-" + System.nanoTime() + "\"";
    for (int run = 0; run < 5; run++) {
      String batch = "{\"jobs\":["
          + "{\"type\":\"payment\",\"input\":" + PAYMENT + ",\"idempotencyKey\":" + key + "},"
          + "{\"type\":\"payment\",\"input\":" + PAYMENT.replace("1999", "7") + ",\"idempotencyKey\":" + key + "}]}";

      JsonNode results = Json.mapper().readTree(client.post("/v1/jobs/batch", KEY, batch, Map.of()).body()).path("results");

      assertThat(results.valueStream().map(r -> r.path("status").asInt())).as("run " + run).containsExactly(202, 422);
    }
  }

  @Order(2)
  @Test
  void aBatchProducesAnAccountsPaymentsInItsOrderKeyedOrNot() throws Exception {
    String account = "acc-order-" + System.nanoTime();
    StringBuilder batch = new StringBuilder("{\"jobs\":[");
    for (int amount = 1; amount <= 6; amount++) {
      String input = PAYMENT.replace("acc-1", account).replace("1999", String.valueOf(amount));
      String key = amount % 2 == 1 ? ",\"idempotencyKey\":\"" + account + "-" + amount + "\"" : "";
      batch.append(amount == 1 ? "" : ",").append("{\"type\":\"payment\",\"input\":").append(input).append(key).append("}");
    }
    assertThat(client.post("/v1/jobs/batch", KEY, batch.append("]}").toString(), Map.of()).statusCode()).isEqualTo(202);

    List<ConsumerRecord<byte[], byte[]>> records = recordsWhere(topics.payment().name(), json -> json.toString().contains(account), 6);

    assertThat(records.stream().map(r -> readJson(r.value()).findValue("amountMinor").asInt())).containsExactly(1, 2, 3, 4, 5, 6);
  }

  @Order(3)
  @Test
  void fiftyConcurrentDuplicatesGetOneJobIdAndAReusedKeyWithAnotherBodyIs422() throws Exception {
    ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
    List<Callable<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      calls.add(() -> client.post("/v1/jobs/payment", KEY, PAYMENT, Map.of("Idempotency-Key", "order-1001")));
    }
    Set<String> ids = new java.util.HashSet<>();
    Set<String> bodies = new java.util.HashSet<>();
    for (Future<HttpResponse<String>> f : pool.invokeAll(calls)) {
      assertThat(f.get().statusCode()).isEqualTo(202);
      ids.add(Json.mapper().readTree(f.get().body()).path("jobId").asText());
      bodies.add(f.get().body());
    }
    pool.shutdown();

    assertThat(ids).hasSize(1);
    assertThat(bodies).hasSize(1);
    HttpResponse<String> reused = client.post("/v1/jobs/payment", KEY, PAYMENT.replace("1999", "2999"), Map.of("Idempotency-Key", "order-1001"));
    assertThat(reused.statusCode()).isEqualTo(422);
    assertThat(Json.mapper().readTree(reused.body()).path("type").asText()).endsWith("/idempotency-key-reused");
    HttpResponse<String> otherTenant = client.post("/v1/jobs/payment", OTHER_KEY, PAYMENT, Map.of("Idempotency-Key", "order-1001"));
    assertThat(Json.mapper().readTree(otherTenant.body()).path("jobId").asText()).isNotIn(ids);
  }

  @Order(4)
  @Test
  void aTenantOverItsRateGets429WithRetryAfterAndRateLimitHeaders() throws Exception {
    List<HttpResponse<String>> answers = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      answers.add(client.post("/v1/jobs/prediction", LIMITED_KEY, PREDICTION, Map.of()));
    }

    List<HttpResponse<String>> limited = answers.stream().filter(a -> a.statusCode() == 429).toList();
    assertThat(limited).isNotEmpty();
    assertThat(answers.stream().filter(a -> a.statusCode() == 202)).hasSizeBetween(5, 7);
    HttpResponse<String> first = limited.getFirst();
    assertThat(first.headers().firstValue("Retry-After")).isPresent();
    assertThat(first.headers().firstValue("RateLimit-Policy")).hasValue("\"tenant\";q=5;w=1");
    assertThat(first.headers().firstValue("RateLimit")).isPresent();
    assertThat(client.post("/v1/jobs/prediction", KEY, PREDICTION, Map.of()).statusCode()).as("other tenants are not limited").isEqualTo(202);
  }

  @Test
  void aBatchLargerThanTheTenantsLimitIsToldToSplitIt() throws Exception {
    String item = "{\"type\":\"prediction\",\"input\":" + PREDICTION + "}";
    String six = "{\"jobs\":[" + String.join(",", java.util.Collections.nCopies(6, item)) + "]}";

    HttpResponse<String> tooLarge = client.post("/v1/jobs/batch", LIMITED_KEY, six, Map.of());

    assertThat(tooLarge.statusCode()).isEqualTo(429);
    assertThat(Json.mapper().readTree(tooLarge.body()).path("detail").asText()).contains("at most 5 per batch");
    assertThat(tooLarge.headers().firstValue("Retry-After")).isPresent();
  }

  @Order(5)
  @Test
  void longPollReturnsAsSoonAsTheJobCompletes() throws Exception {
    String jobId = Json.mapper().readTree(client.post("/v1/jobs/prediction", KEY, PREDICTION, Map.of()).body()).path("jobId").asText();
    Future<HttpResponse<String>> poll = Executors.newVirtualThreadPerTaskExecutor().submit(() -> client.get("/v1/jobs/" + jobId + "?waitMs=20000", KEY));
    Thread.sleep(300);
    assertThat(poll).isNotDone();

    JobView done = new JobView(jobId, "acme", JobType.PREDICTION, JobStatus.SUCCEEDED,
        Json.mapper().readTree("{\"score\":0.5,\"modelVersion\":\"t\",\"cached\":false}"), null, Instant.now(), Instant.now(), Instant.now(), 1);
    try (RedisClient redis = RedisClient.create(stack.redisUrl())) {
      redis.setex(RedisKeys.job(jobId), 60, Json.mapper().writeValueAsString(done));
    }

    HttpResponse<String> answer = poll.get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(Json.mapper().readTree(answer.body()).path("status").asText()).isEqualTo("SUCCEEDED");
  }

  @Order(6)
  @Test
  void withTheBrokerStoppedSubmitsGet503WithRetryAfterAndRecoverWhenItReturns() throws Exception {
    stack.broker().stop();
    try {
      // no job was sent since the stop, so no acknowledgement is overdue: only the lost connection
      // can turn the instance unready
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(client.get("/readyz", null).statusCode()).isEqualTo(503));
      for (int i = 0; i < 20; i++) {
        HttpResponse<String> shed = client.post(i % 2 == 0 ? "/v1/jobs/payment" : "/v1/jobs/prediction", KEY, i % 2 == 0 ? PAYMENT : PREDICTION, Map.of());
        assertThat(shed.statusCode()).isEqualTo(503);
        assertThat(shed.headers().firstValue("Retry-After")).isPresent();
        assertThat(Json.mapper().readTree(shed.body()).path("type").asText()).endsWith("/overloaded");
      }
    } finally {
      stack.broker().start();
    }
    // the producer reconnects by itself (metadata refresh) with no job sent meanwhile
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(client.get("/readyz", null).statusCode()).isEqualTo(200));
    assertThat(client.post("/v1/jobs/payment", KEY, PAYMENT, Map.of()).statusCode()).isEqualTo(202);
  }

  @Order(7)
  @Test
  void aBrokerThatStopsAnsweringGets503AtTheProduceTimeoutAndJobsAreAcceptedAgainWhenItAnswers() throws Exception {
    double overdueBefore = shedCount("timeout");
    // frozen, the broker keeps its connections open: only the produce timeout (4 s) answers
    stack.broker().freeze();
    long started = System.nanoTime();
    HttpResponse<String> overdue;
    try {
      overdue = client.post("/v1/jobs/payment", KEY, PAYMENT, Map.of());
    } finally {
      stack.broker().thaw();
    }
    long waitedMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();

    assertThat(overdue.statusCode()).isEqualTo(503);
    assertThat(overdue.headers().firstValue("Retry-After")).isPresent();
    assertThat(Json.mapper().readTree(overdue.body()).path("detail").asText()).contains("in time");
    assertThat(waitedMillis).as("answered at the produce timeout, not before").isGreaterThanOrEqualTo(3_900);
    assertThat(shedCount("timeout")).isEqualTo(overdueBefore + 1);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(client.post("/v1/jobs/payment", KEY, PAYMENT, Map.of()).statusCode()).isEqualTo(202));
  }

  @Order(10)
  @Test
  void noApiKeyIsInTheLogs() {
    assertThat(logs.list).as("the API logged while this class ran").isNotEmpty();
    for (ILoggingEvent event : logs.list) {
      String text = event.getFormattedMessage() + (event.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(event.getThrowableProxy()));
      assertThat(text).doesNotContain(KEY, OTHER_KEY, LIMITED_KEY, "nope-nope-nope", "YWxhZGRpbjpvcGVuc2VzYW1l");
    }
  }

  /** The API's own count of 503s for a reason, from /metrics. */
  private double shedCount(String reason) throws Exception {
    return client.metricSum("spillway_ingest_shed_total{reason=\"" + reason + "\"");
  }

  private static String jobIdOf(HttpResponse<String> accepted) throws Exception {
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    return Json.mapper().readTree(accepted.body()).path("jobId").asText();
  }

  /** A header of the job's record in the topic, read back from the broker. */
  private String kafkaHeader(String topic, String jobId, String header) throws Exception {
    var value = recordsWhere(topic, json -> json.path("jobId").asText().equals(jobId), 1).getFirst().headers().lastHeader(header);
    return value == null ? null : new String(value.value(), StandardCharsets.UTF_8);
  }

  /** The topic's first {@code count} records whose envelope matches, in offset order within a partition. */
  private List<ConsumerRecord<byte[], byte[]>> recordsWhere(String topic, Predicate<JsonNode> envelope, int count) throws Exception {
    List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
    Map<String, Object> props = Map.of("bootstrap.servers", stack.kafkaBootstrap());
    try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (found.size() < count && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (found.size() < count && envelope.test(Json.mapper().readTree(record.value()))) {
            found.add(record);
          }
        }
      }
    }
    assertThat(found).as("matching records in " + topic).hasSize(count);
    return found;
  }

  private static JsonNode readJson(byte[] bytes) {
    try {
      return Json.mapper().readTree(bytes);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private long endOffsets() {
    Map<String, Object> props = Map.of("bootstrap.servers", stack.kafkaBootstrap());
    try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : List.of(topics.payment().name(), topics.prediction().name())) {
        consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
      }
      return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
    }
  }
}

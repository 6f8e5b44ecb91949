package io.spillway.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.spillway.devstack.DevStack;
import io.spillway.devstack.DevStackExtension;
import io.spillway.devstack.Ports;
import io.spillway.schemas.Json;
import io.spillway.schemas.Topics;
import io.spillway.schemas.env.SpillwayEnv;
import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What needs an ingest API of its own, against the real broker, Redis and PostgreSQL: a small
 * in-flight bound, a Redis that does not answer, a shutdown. A frozen broker (SIGSTOP) holds
 * produces in flight for as long as a test needs them there.
 */
@ExtendWith(DevStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IngestApiInstanceIT {

  private static final String KEY = "acme-key-0123456789";
  private static final String PAYMENT = "{\"accountId\":\"acc-7\",\"amountMinor\":500,\"currency\":\"USD\",\"merchantId\":\"m-1\"}";
  private static final String PREDICTION = "{\"model\":\"default\",\"features\":{\"x\":2}}";

  private DevStack stack;
  private Topics topics;

  @BeforeAll
  void start(DevStack stack) {
    this.stack = stack;
    this.topics = Topics.withPrefix("ingest-instance-it.");
    stack.createTopics(topics);
  }

  private IngestApi start(Map<String, String> settings) {
    Map<String, String> env = new HashMap<>(settings);
    env.put(SpillwayEnv.API_KEYS, "acme:" + KEY);
    return TestApi.start(stack, topics, env);
  }

  @Test
  void paymentsKeepTheirReservedShareWhilePredictionsAreShedAndTheInstanceReadsUnready() throws Exception {
    // 10 produces in flight at most, half of them for payments only: predictions stop at 5
    try (IngestApi api = start(Map.of(IngestConfig.MAX_IN_FLIGHT, "10", IngestConfig.PAYMENT_RESERVE, "0.5"))) {
      ApiClient client = new ApiClient(api);
      List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
      HttpResponse<String> shed;
      HttpResponse<String> readyWhileShedding;
      // the steps below take milliseconds; the broker is thawed long before the produce timeout
      // (4 s) and the one-second stall after which Kafka counts as not answering
      stack.broker().freeze();
      try {
        for (int i = 0; i < 5; i++) {
          held.add(client.postAsync("/v1/jobs/prediction", KEY, PREDICTION, Map.of()));
        }
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10)).until(() -> inFlight(client) == 5);
        shed = client.post("/v1/jobs/prediction", KEY, PREDICTION, Map.of());
        held.add(client.postAsync("/v1/jobs/payment", KEY, PAYMENT, Map.of()));
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10)).until(() -> inFlight(client) == 6);
        readyWhileShedding = client.get("/readyz", null);
      } finally {
        stack.broker().thaw();
      }

      assertThat(shed.statusCode()).isEqualTo(503);
      assertThat(shed.headers().firstValue("Retry-After")).isPresent();
      assertThat(client.metricSum("spillway_ingest_shed_total{reason=\"inflight\"")).isEqualTo(1);
      assertThat(readyWhileShedding.statusCode()).as("/readyz while shedding").isEqualTo(503);
      for (CompletableFuture<HttpResponse<String>> answer : held) {
        assertThat(answer.get(10, TimeUnit.SECONDS).statusCode()).as("held predictions and the payment past their share").isEqualTo(202);
      }
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(client.get("/readyz", null).statusCode()).isEqualTo(200));
    }
  }

  @Test
  void aBatchsPredictionsGetOnlyTheShareThatPaymentsDoNotReserve() throws Exception {
    try (IngestApi api = start(Map.of(IngestConfig.MAX_IN_FLIGHT, "10", IngestConfig.PAYMENT_RESERVE, "0.5"))) {
      ApiClient client = new ApiClient(api);
      String item = "{\"type\":\"prediction\",\"input\":" + PREDICTION + "},";
      String batch = "{\"jobs\":[" + item.repeat(6) + "{\"type\":\"payment\",\"input\":" + PAYMENT + "}]}";
      CompletableFuture<HttpResponse<String>> answer;
      stack.broker().freeze(); // the batch's produces stay in flight until the thaw
      try {
        answer = client.postAsync("/v1/jobs/batch", KEY, batch, Map.of());
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10)).until(() -> inFlight(client) >= 6);
      } finally {
        stack.broker().thaw();
      }

      var results = Json.mapper().readTree(answer.get(10, TimeUnit.SECONDS).body()).path("results");
      assertThat(results.valueStream().map(r -> r.path("status").asInt())).containsExactly(202, 202, 202, 202, 202, 503, 202);
    }
  }

  @Test
  void withRedisUnreachableAJobReadsQueuedFromItsIdThenItsStateFromPostgresql() throws Exception {
    try (IngestApi api = start(Map.of(SpillwayEnv.REDIS_URL, "redis://127.0.0.1:" + Ports.free()))) {
      ApiClient client = new ApiClient(api);
      HttpResponse<String> accepted = client.post("/v1/jobs/payment", KEY, PAYMENT, Map.of("Idempotency-Key", "no-redis-" + System.nanoTime()));
      assertThat(accepted.statusCode()).isEqualTo(202);
      String jobId = Json.mapper().readTree(accepted.body()).path("jobId").asText();

      HttpResponse<String> queued = client.get("/v1/jobs/" + jobId, KEY);
      // what a worker writes to the durable record when it finishes the job
      try (Connection db = DriverManager.getConnection(stack.pgUrl(), stack.pgUser(), stack.pgPassword());
          PreparedStatement insert = db.prepareStatement("INSERT INTO jobs (job_id, tenant, type, status, input, result, attempts, submitted_at, completed_at)"
              + " VALUES (?, 'acme', 'payment', 'SUCCEEDED', ?::jsonb, ?::jsonb, 1, now(), now())")) {
        insert.setString(1, jobId);
        insert.setString(2, PAYMENT);
        insert.setString(3, "{\"decision\":\"APPROVED\",\"riskScore\":0.1,\"ledgerEntryId\":7}");
        insert.executeUpdate();
      }
      HttpResponse<String> done = client.get("/v1/jobs/" + jobId, KEY);

      assertThat(queued.statusCode()).isEqualTo(200);
      assertThat(Json.mapper().readTree(queued.body()).path("status").asText()).as("from the signed job id").isEqualTo("QUEUED");
      assertThat(Json.mapper().readTree(done.body()).path("status").asText()).as("from PostgreSQL").isEqualTo("SUCCEEDED");
      assertThat(Json.mapper().readTree(done.body()).path("result").path("decision").asText()).isEqualTo("APPROVED");
      assertThat(client.metricSum("spillway_ingest_status_lookups_total{source=\"redis-error\"")).isEqualTo(2);
    }
  }

  @Test
  void closingAnswersEveryRequestInFlightAndTakesNoNewConnection() throws Exception {
    IngestApi api = start(Map.of());
    ApiClient client = new ApiClient(api);
    String queued = Json.mapper().readTree(client.post("/v1/jobs/payment", KEY, PAYMENT, Map.of()).body()).path("jobId").asText();
    CompletableFuture<HttpResponse<String>> longPoll = CompletableFuture.supplyAsync(() -> {
      try {
        return client.get("/v1/jobs/" + queued + "?waitMs=30000", KEY);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    Thread.sleep(200); // the long poll reaches the server and waits
    List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
    ApiClient newcomer = new ApiClient(api); // a client with no connection yet, to the same port
    Thread closing;
    stack.broker().freeze();
    try {
      for (int i = 0; i < 10; i++) {
        held.add(client.postAsync("/v1/jobs/payment", KEY, PAYMENT, Map.of()));
      }
      await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10)).until(() -> inFlight(client) == 10);
      closing = Thread.ofPlatform().start(api::close); // what SIGTERM's shutdown hook runs
      await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10))
          .untilAsserted(() -> assertThatThrownBy(() -> newcomer.get("/healthz", null)).isInstanceOf(ConnectException.class));
    } finally {
      stack.broker().thaw();
    }

    HttpResponse<String> polled = longPoll.get(5, TimeUnit.SECONDS);
    assertThat(polled.statusCode()).as("a long poll is answered with the state it has").isEqualTo(200);
    assertThat(Json.mapper().readTree(polled.body()).path("status").asText()).isEqualTo("QUEUED");
    for (CompletableFuture<HttpResponse<String>> answer : held) {
      assertThat(answer.get(10, TimeUnit.SECONDS).statusCode()).as("a submit in flight at the stop").isEqualTo(202);
    }
    closing.join(Duration.ofSeconds(30));
    assertThat(closing.isAlive()).isFalse();
  }

  @Test
  void aConnectionIsClosedOnceItsClientSentNothingForTheIdleTimeout() throws Exception {
    try (IngestApi api = start(Map.of(IngestConfig.HTTP_IDLE_TIMEOUT, "2s"));
        Socket socket = new Socket("127.0.0.1", api.port())) {
      socket.setSoTimeout(15_000);
      byte[] healthz = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
      socket.getOutputStream().write(healthz);
      Thread.sleep(1_200);
      socket.getOutputStream().write(healthz); // within the timeout: the connection is in use
      long lastRequest = System.nanoTime();

      // both answers, then the end of the stream when the server closes the connection
      String answers = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      long idleMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastRequest);

      assertThat(answers.split("HTTP/1.1 200 OK", -1)).as("two answers on the connection").hasSize(3);
      // counted from the first request, the timeout would end 800 ms after the last one
      assertThat(idleMillis).as("closed about 2 s after the last request, not after the first").isBetween(1_300L, 10_000L);
    }
  }

  /** The produces awaiting the broker's acknowledgement, as /readyz reports them. */
  private static int inFlight(ApiClient client) throws Exception {
    return Json.mapper().readTree(client.get("/readyz", null).body()).path("inFlight").asInt();
  }
}

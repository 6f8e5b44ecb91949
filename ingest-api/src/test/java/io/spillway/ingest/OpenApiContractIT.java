package io.spillway.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.spillway.devstack.DevStack;
import io.spillway.devstack.DevStackExtension;
import io.spillway.devstack.Ports;
import io.spillway.schemas.Json;
import io.spillway.schemas.Topics;
import io.spillway.schemas.env.SpillwayEnv;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The OpenAPI document tells the truth: every route, method and status it lists can be provoked
 * from the running API, and the API answers nothing it does not list.
 */
@ExtendWith(DevStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiContractIT {

  private static final String KEY = "acme-key-0123456789";
  private static final String LIMITED = "tiny-key-0123456789";
  private static final String PAY = "{\"accountId\":\"acc-1\",\"amountMinor\":1999,\"currency\":\"EUR\",\"merchantId\":\"m-42\"}";
  private static final String PREDICT = "{\"model\":\"default\",\"features\":{\"a\":1}}";
  private static final String BATCH = "{\"jobs\":[{\"type\":\"payment\",\"input\":" + PAY + "},{\"type\":\"prediction\",\"input\":{\"model\":\"x\"}}]}";
  private static final String BIG = "{\"pad\":\"" + "x".repeat(70_000) + "\"}";

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private IngestApi api;
  private IngestApi apiWithoutKafka;
  private String jobId;

  @BeforeAll
  void start(DevStack stack) throws Exception {
    Topics topics = Topics.withPrefix("openapi-it.");
    stack.createTopics(topics);
    Map<String, String> env = new HashMap<>(Map.of(SpillwayEnv.API_KEYS, "acme:" + KEY + ",tiny:" + LIMITED, IngestConfig.RATE_LIMITS, "tiny:1"));
    api = TestApi.start(stack, topics, env);
    env.put(SpillwayEnv.KAFKA_BOOTSTRAP, "127.0.0.1:" + Ports.free());
    apiWithoutKafka = TestApi.start(stack, topics, env);
    jobId = Json.mapper().readTree(send(api, "POST", "/v1/jobs/prediction", KEY, "application/json", PREDICT, Map.of()).body()).path("jobId").asText();
  }

  @AfterAll
  void stop() {
    api.close();
    apiWithoutKafka.close();
  }

  @Test
  void everyDocumentedStatusCanBeProvokedAndNoOtherIsDocumented() throws Exception {
    Map<String, Provoke> table = provocations();
    JsonNode spec = new ObjectMapper(new YAMLFactory()).readTree(IngestApi.class.getResourceAsStream("/openapi.yaml"));
    Set<String> documented = new TreeSet<>();
    spec.path("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(
        op -> op.getValue().path("responses").fieldNames().forEachRemaining(
            status -> documented.add(op.getKey().toUpperCase() + " " + path.getKey() + " " + status))));

    assertThat(documented).containsExactlyInAnyOrderElementsOf(table.keySet());
    for (var entry : table.entrySet()) {
      int expected = Integer.parseInt(entry.getKey().substring(entry.getKey().lastIndexOf(' ') + 1));
      assertThat(entry.getValue().call().statusCode()).as(entry.getKey()).isEqualTo(expected);
    }
  }

  @Test
  void undocumentedPathsAreNotFound() throws Exception {
    assertThat(send(api, "GET", "/v1/jobs", KEY, null, null, Map.of()).statusCode()).isEqualTo(404);
    assertThat(send(api, "GET", "/admin", KEY, null, null, Map.of()).statusCode()).isEqualTo(404);
    assertThat(send(api, "POST", "/v1/jobs/payment/extra", KEY, "application/json", PAY, Map.of()).statusCode()).isEqualTo(404);
  }

  @FunctionalInterface
  interface Provoke {
    HttpResponse<String> call() throws Exception;
  }

  private Map<String, Provoke> provocations() {
    Map<String, Provoke> t = new LinkedHashMap<>();
    for (String type : new String[] {"payment", "prediction"}) {
      String path = "/v1/jobs/" + type;
      String body = type.equals("payment") ? PAY : PREDICT;
      t.put("POST " + path + " 202", () -> send(api, "POST", path, KEY, "application/json", body, Map.of()));
      t.put("POST " + path + " 400", () -> send(api, "POST", path, KEY, "application/json", "{}", Map.of()));
      t.put("POST " + path + " 401", () -> send(api, "POST", path, null, "application/json", body, Map.of()));
      t.put("POST " + path + " 405", () -> send(api, "GET", path, KEY, null, null, Map.of()));
      t.put("POST " + path + " 413", () -> send(api, "POST", path, KEY, "application/json", BIG, Map.of()));
      t.put("POST " + path + " 415", () -> send(api, "POST", path, KEY, "text/plain", body, Map.of()));
      t.put("POST " + path + " 422", () -> {
        send(api, "POST", path, KEY, "application/json", body, Map.of("Idempotency-Key", "k-" + type));
        return send(api, "POST", path, KEY, "application/json", body.replace("1", "2"), Map.of("Idempotency-Key", "k-" + type));
      });
      t.put("POST " + path + " 429", () -> {
        send(api, "POST", path, LIMITED, "application/json", body, Map.of());
        return send(api, "POST", path, LIMITED, "application/json", body, Map.of());
      });
      t.put("POST " + path + " 503", () -> send(apiWithoutKafka, "POST", path, KEY, "application/json", body, Map.of()));
    }
    String b = "/v1/jobs/batch";
    t.put("POST " + b + " 202", () -> send(api, "POST", b, KEY, "application/json", BATCH, Map.of()));
    t.put("POST " + b + " 400", () -> send(api, "POST", b, KEY, "application/json", "{\"jobs\":[]}", Map.of()));
    t.put("POST " + b + " 401", () -> send(api, "POST", b, null, "application/json", BATCH, Map.of()));
    t.put("POST " + b + " 405", () -> send(api, "GET", b, KEY, null, null, Map.of()));
    t.put("POST " + b + " 413", () -> send(api, "POST", b, KEY, "application/json", BIG, Map.of()));
    t.put("POST " + b + " 415", () -> send(api, "POST", b, KEY, "text/plain", BATCH, Map.of()));
    t.put("POST " + b + " 429", () -> {
      send(api, "POST", b, LIMITED, "application/json", BATCH, Map.of());
      return send(api, "POST", b, LIMITED, "application/json", BATCH, Map.of());
    });
    String j = "/v1/jobs/{id}";
    t.put("GET " + j + " 200", () -> send(api, "GET", "/v1/jobs/" + jobId, KEY, null, null, Map.of()));
    t.put("GET " + j + " 400", () -> send(api, "GET", "/v1/jobs/" + jobId + "?waitMs=abc", KEY, null, null, Map.of()));
    t.put("GET " + j + " 401", () -> send(api, "GET", "/v1/jobs/" + jobId, null, null, null, Map.of()));
    t.put("GET " + j + " 404", () -> send(api, "GET", "/v1/jobs/nope", KEY, null, null, Map.of()));
    t.put("GET " + j + " 405", () -> send(api, "DELETE", "/v1/jobs/" + jobId, KEY, null, null, Map.of()));
    for (String p : new String[] {"/healthz", "/readyz", "/metrics", "/openapi.yaml"}) {
      t.put("GET " + p + " 200", () -> send(api, "GET", p, null, null, null, Map.of()));
      t.put("GET " + p + " 405", () -> send(api, "POST", p, null, "application/json", "{}", Map.of()));
    }
    t.put("GET /readyz 503", () -> send(apiWithoutKafka, "GET", "/readyz", null, null, null, Map.of()));
    return t;
  }

  private HttpResponse<String> send(IngestApi target, String method, String path, String key, String type, String body, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + target.port() + path)).timeout(Duration.ofSeconds(15))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      r.header("Authorization", "Bearer " + key);
    }
    if (type != null) {
      r.header("Content-Type", type);
    }
    headers.forEach(r::header);
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }
}

package io.spillway.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.spillway.devstack.DevStack;
import io.spillway.devstack.DevStackExtension;
import io.spillway.schemas.Json;
import io.spillway.schemas.RedisKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.RedisClient;

/** The first vertical slice: HTTP in, Kafka, a worker, Redis and PostgreSQL out, status back. */
@ExtendWith(DevStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PredictionEndToEndIT {

  private final HttpClient http = HttpClient.newHttpClient();
  private DevStack stack;
  private RunningPipeline pipeline;

  @BeforeAll
  void start(DevStack stack) throws Exception {
    this.stack = stack;
    this.pipeline = RunningPipeline.start(stack);
  }

  @AfterAll
  void stop() throws Exception {
    pipeline.close();
  }

  @Test
  void submittedPredictionSucceedsWithItsResultInRedisAndPostgres() throws Exception {
    HttpResponse<String> accepted =
        send(
            HttpRequest.newBuilder(URI.create(pipeline.api() + "/v1/jobs/prediction"))
                .header("Authorization", "Bearer " + RunningPipeline.API_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                    "{\"model\":\"default\",\"features\":{\"basket_total\":129.5,\"items\":3,\"account_age_days\":420}}")));

    assertThat(accepted.statusCode()).isEqualTo(202);
    JsonNode body = Json.mapper().readTree(accepted.body());
    String jobId = body.path("jobId").asText();
    assertThat(body.path("status").asText()).isEqualTo("QUEUED");
    assertThat(accepted.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith(jobId));

    JsonNode done = awaitTerminal(jobId);
    assertThat(done.path("status").asText()).isEqualTo("SUCCEEDED");
    double score = done.path("result").path("score").asDouble(-1);
    assertThat(score).isBetween(0.0, 1.0);
    assertThat(done.path("result").path("modelVersion").asText()).isNotBlank();

    try (RedisClient redis = RedisClient.create(stack.redisUrl())) {
      JsonNode cached = Json.mapper().readTree(redis.get(RedisKeys.job(jobId)));
      assertThat(cached.path("status").asText()).isEqualTo("SUCCEEDED");
      assertThat(cached.path("result").path("score").asDouble()).isEqualTo(score);
      assertThat(redis.ttl(RedisKeys.job(jobId))).isPositive();
    }
    try (Connection c = stack.pgConnection();
        PreparedStatement q = c.prepareStatement("SELECT tenant, type, status, result->>'score' FROM jobs WHERE job_id = ?")) {
      q.setString(1, jobId);
      try (ResultSet row = q.executeQuery()) {
        assertThat(row.next()).isTrue();
        assertThat(row.getString(1)).isEqualTo(RunningPipeline.TENANT);
        assertThat(row.getString(2)).isEqualTo("prediction");
        assertThat(row.getString(3)).isEqualTo("SUCCEEDED");
        assertThat(Double.parseDouble(row.getString(4))).isEqualTo(score);
      }
    }
  }

  @Test
  void anotherTenantCannotSeeTheJob() throws Exception {
    HttpResponse<String> accepted =
        send(
            HttpRequest.newBuilder(URI.create(pipeline.api() + "/v1/jobs/prediction"))
                .header("Authorization", "Bearer " + RunningPipeline.API_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"default\",\"features\":{\"items\":1}}")));
    String jobId = Json.mapper().readTree(accepted.body()).path("jobId").asText();

    HttpResponse<String> foreign =
        send(HttpRequest.newBuilder(URI.create(pipeline.api() + "/v1/jobs/" + jobId))
            .header("Authorization", "Bearer " + RunningPipeline.OTHER_TENANT_KEY).GET());

    assertThat(foreign.statusCode()).isEqualTo(404);
  }

  @Test
  void theStatsApiCountsCompletedJobsAndTheLivePageIsServed() throws Exception {
    for (int i = 0; i < 5; i++) {
      send(HttpRequest.newBuilder(URI.create(pipeline.api() + "/v1/jobs/prediction"))
          .header("Authorization", "Bearer " + RunningPipeline.API_KEY).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"default\",\"features\":{\"stats\":" + i + "}}")));
    }
    String stats = "http://127.0.0.1:" + pipeline.streams.port();
    String from = java.time.Instant.now().minusSeconds(600).toString();

    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
      HttpResponse<String> answer = send(HttpRequest.newBuilder(URI.create(stats + "/v1/stats?type=prediction&window=1s&from=" + from)).GET());
      assertThat(answer.statusCode()).isEqualTo(200);
      long counted = 0;
      for (JsonNode window : Json.mapper().readTree(answer.body())) {
        assertThat(window.path("type").asText()).isEqualTo("prediction");
        assertThat(window.path("endToEnd").path("p99").asDouble()).isGreaterThanOrEqualTo(window.path("endToEnd").path("p50").asDouble());
        counted += window.path("count").asLong();
      }
      assertThat(counted).isGreaterThanOrEqualTo(5);
    });
    assertThat(send(HttpRequest.newBuilder(URI.create(stats + "/v1/alerts")).GET()).statusCode()).isEqualTo(200);
    HttpResponse<String> page = send(HttpRequest.newBuilder(URI.create(stats + "/")).GET());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<canvas id=\"throughput\"");
  }

  private JsonNode awaitTerminal(String jobId) {
    JsonNode[] last = new JsonNode[1];
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () -> {
              HttpResponse<String> status =
                  send(HttpRequest.newBuilder(URI.create(pipeline.api() + "/v1/jobs/" + jobId + "?waitMs=2000"))
                      .header("Authorization", "Bearer " + RunningPipeline.API_KEY).GET());
              assertThat(status.statusCode()).isEqualTo(200);
              last[0] = Json.mapper().readTree(status.body());
              assertThat(last[0].path("status").asText()).isIn("SUCCEEDED", "FAILED", "DEAD_LETTERED");
            });
    return last[0];
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.timeout(Duration.ofSeconds(35)).build(), HttpResponse.BodyHandlers.ofString());
  }
}

package io.spillway.drills.load;

import com.fasterxml.jackson.databind.JsonNode;
import io.spillway.schemas.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Submits one job the way a careful client does: an Idempotency-Key on every attempt, a retry on
 * 429, 503, 5xx, timeouts and connection errors (honouring Retry-After, capped at one second),
 * until a 202 or a definite 4xx, or until its patience runs out.
 */
public final class DrillClient {

  /** The longest an attempt may take; an answer slower than this counts as a hang. */
  public static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(5);

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).version(HttpClient.Version.HTTP_1_1).build();
  private final String api;
  private final String apiKey;
  private final Duration patience;

  public DrillClient(String api, String apiKey, Duration patience) {
    this.api = api;
    this.apiKey = apiKey;
    this.patience = patience;
  }

  /** Submits until a final answer; never throws for HTTP trouble. */
  public Outcome submit(long seq, String idempotencyKey, String type, String accountId, long amountMinor, String body)
      throws InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(api + "/v1/jobs/" + type))
            .timeout(ATTEMPT_TIMEOUT)
            .header("Authorization", "Bearer " + apiKey)
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", idempotencyKey)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    List<Outcome.Attempt> attempts = new ArrayList<>();
    long first = System.currentTimeMillis();
    long deadline = first + patience.toMillis();
    long backoff = 50;
    while (true) {
      long sent = System.currentTimeMillis();
      int status;
      String jobId = null;
      long retryAfterMs = backoff;
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        status = response.statusCode();
        if (status == 202) {
          JsonNode answer = Json.mapper().readTree(response.body());
          jobId = answer.path("jobId").asText(null);
        }
        Optional<String> retryAfter = response.headers().firstValue("Retry-After");
        if (retryAfter.isPresent() && retryAfter.get().matches("\\d+")) {
          retryAfterMs = Math.min(1000, Long.parseLong(retryAfter.get()) * 1000);
        }
      } catch (HttpTimeoutException e) {
        status = -1;
      } catch (IOException e) {
        status = 0;
      }
      long now = System.currentTimeMillis();
      attempts.add(new Outcome.Attempt(sent, now - sent, status));
      boolean retry = status <= 0 || status == 429 || status >= 500;
      if (!retry || now + retryAfterMs > deadline) {
        return new Outcome(seq, idempotencyKey, type, accountId, amountMinor, first, now, status, jobId, attempts);
      }
      Thread.sleep(retryAfterMs);
      backoff = Math.min(1000, backoff * 2);
    }
  }
}

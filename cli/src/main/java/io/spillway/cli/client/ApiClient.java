package io.spillway.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.spillway.cli.Failure;
import io.spillway.schemas.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The ingest API over the JDK's HTTP client: answers as JSON, connection trouble as a {@link Failure}. */
public final class ApiClient {

  /** An answer: status and JSON body. */
  public record Answer(int status, JsonNode body) {}

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final String key;

  public ApiClient(String base, String key) {
    this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    this.key = key;
  }

  public Answer post(String path, String json, String idempotencyKey) {
    HttpRequest.Builder request = request(path, Duration.ofSeconds(30)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json));
    if (idempotencyKey != null) {
      request.header("Idempotency-Key", idempotencyKey);
    }
    return send(request.build());
  }

  public Answer get(String path, Duration timeout) {
    return send(request(path, timeout).GET().build());
  }

  private HttpRequest.Builder request(String path, Duration timeout) {
    try {
      return HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout).header("Authorization", "Bearer " + key);
    } catch (IllegalArgumentException e) {
      throw new io.spillway.cli.UsageError("--api is not a URL: " + base);
    }
  }

  private Answer send(HttpRequest request) {
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      JsonNode body = response.body().isBlank() ? Json.mapper().createObjectNode() : Json.mapper().readTree(response.body());
      return new Answer(response.statusCode(), body);
    } catch (ConnectException e) {
      throw new Failure("cannot connect to the API at " + base + " (is it running? see --api)");
    } catch (IOException e) {
      throw new Failure("request to " + request.uri() + " failed: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure("interrupted");
    }
  }

  /** Throws a {@link Failure} naming the problem of a non-2xx answer. */
  public static Answer ok(Answer answer) {
    if (answer.status() / 100 != 2) {
      String detail = answer.body().path("detail").asText(answer.body().path("title").asText("HTTP " + answer.status()));
      throw new Failure(answer.status() + " " + answer.body().path("title").asText("") + ": " + detail);
    }
    return answer;
  }
}

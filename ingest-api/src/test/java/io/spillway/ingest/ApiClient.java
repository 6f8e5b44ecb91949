package io.spillway.ingest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** The HTTP calls a client makes to one ingest API instance, and an operator's look at its /metrics. */
final class ApiClient {

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final String base;

  ApiClient(IngestApi api) {
    this.base = "http://127.0.0.1:" + api.port();
  }

  URI uri(String path) {
    return URI.create(base + path);
  }

  HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, String key, String body, Map<String, String> headers) throws IOException, InterruptedException {
    return send(postRequest(path, key, body, headers));
  }

  CompletableFuture<HttpResponse<String>> postAsync(String path, String key, String body, Map<String, String> headers) {
    return http.sendAsync(postRequest(path, key, body, headers), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path, String key) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(35)).GET();
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return send(b.build());
  }

  /** The sum of the /metrics samples whose lines start with the prefix. */
  double metricSum(String prefix) throws IOException, InterruptedException {
    return get("/metrics", null).body().lines().filter(l -> l.startsWith(prefix))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  private HttpRequest postRequest(String path, String key, String body, Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(15))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(b::header);
    return b.build();
  }
}

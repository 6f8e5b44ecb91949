package io.spillway.ingest.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.spillway.schemas.Json;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/** Writes JSON and problem answers; every answer echoes the request's {@code X-Request-Id}. */
public final class Responses {

  private Responses() {}

  public static void json(HttpServerRequest request, int status, JsonNode body) {
    send(request, status, "application/json", body);
  }

  public static void problem(HttpServerRequest request, Problem problem) {
    send(request, problem.status(), Problem.CONTENT_TYPE, problem.toJson(request.path()));
  }

  /** A 429 or 503 with the seconds after which a retry is welcome. */
  public static void problem(HttpServerRequest request, Problem problem, int retryAfterSeconds) {
    request.response().putHeader("Retry-After", String.valueOf(retryAfterSeconds));
    problem(request, problem);
  }

  private static void send(HttpServerRequest request, int status, String contentType, JsonNode body) {
    HttpServerResponse response = request.response();
    if (response.ended() || response.closed()) {
      return;
    }
    String requestId = request.getHeader("X-Request-Id");
    if (requestId != null && requestId.length() <= 200) {
      response.putHeader("X-Request-Id", requestId);
    }
    try {
      response
          .setStatusCode(status)
          .putHeader("Content-Type", contentType)
          .end(Buffer.buffer(Json.mapper().writeValueAsBytes(body)));
    } catch (JsonProcessingException e) {
      response.setStatusCode(500).end();
    }
  }
}

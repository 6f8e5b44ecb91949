package io.spillway.ingest.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.spillway.schemas.Json;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/** Writes JSON and problem answers; every answer echoes the request's {@code X-Request-Id}. */
public final class Responses {

  private Responses() {}

  private static final CharSequence X_REQUEST_ID = HttpHeaders.createOptimized("X-Request-Id");
  private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence PROBLEM_JSON = HttpHeaders.createOptimized(Problem.CONTENT_TYPE);

  public static void json(HttpServerRequest request, int status, JsonNode body) {
    send(request, status, APPLICATION_JSON, body);
  }

  /** A JSON answer whose body is already serialised. */
  public static void json(HttpServerRequest request, int status, Buffer body) {
    send(request, status, APPLICATION_JSON, body);
  }

  public static void problem(HttpServerRequest request, Problem problem) {
    send(request, problem.status(), PROBLEM_JSON, problem.toJson(request.path()));
  }

  /** A 429 or 503 with the seconds after which a retry is welcome. */
  public static void problem(HttpServerRequest request, Problem problem, int retryAfterSeconds) {
    request.response().putHeader("Retry-After", String.valueOf(retryAfterSeconds));
    problem(request, problem);
  }

  private static void send(HttpServerRequest request, int status, CharSequence contentType, JsonNode body) {
    try {
      send(request, status, contentType, Buffer.buffer(Json.mapper().writeValueAsBytes(body)));
    } catch (JsonProcessingException e) {
      send(request, 500, contentType, Buffer.buffer());
    }
  }

  private static void send(HttpServerRequest request, int status, CharSequence contentType, Buffer body) {
    HttpServerResponse response = request.response();
    if (response.ended() || response.closed()) {
      return;
    }
    echoRequestId(request, response);
    response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, contentType).end(body);
  }

  private static void echoRequestId(HttpServerRequest request, HttpServerResponse response) {
    String requestId = request.getHeader(X_REQUEST_ID);
    if (requestId != null && requestId.length() <= 200) {
      response.putHeader(X_REQUEST_ID, requestId);
    }
  }
}

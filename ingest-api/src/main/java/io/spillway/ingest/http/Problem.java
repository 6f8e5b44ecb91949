package io.spillway.ingest.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spillway.schemas.Json;
import java.util.Objects;

/**
 * An RFC 9457 problem detail. The {@code type} URI is stable per kind of problem, so clients can
 * branch on it; {@code field} names the JSON field at fault (as a JSON Pointer), when there is one.
 *
 * @param kind the kind of problem (type URI, title and status)
 * @param detail what exactly was wrong with this request
 * @param field the JSON Pointer of the failing field, or null
 */
public record Problem(Kind kind, String detail, String field) {

  /** Every problem the API answers with. */
  public enum Kind {
    INVALID_JSON("invalid-json", "Request body is not valid JSON", 400),
    VALIDATION("validation", "Request body failed validation", 400),
    INVALID_REQUEST("invalid-request", "Request is invalid", 400),
    UNAUTHORIZED("unauthorized", "Missing or unknown API key", 401),
    NOT_FOUND("not-found", "Not found", 404),
    METHOD_NOT_ALLOWED("method-not-allowed", "Method not allowed", 405),
    PAYLOAD_TOO_LARGE("payload-too-large", "Request body too large", 413),
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", "Content-Type must be application/json", 415),
    IDEMPOTENCY_CONFLICT("idempotency-key-reused", "Idempotency-Key reused with a different request", 422),
    RATE_LIMITED("rate-limited", "Too many requests for this tenant", 429),
    OVERLOADED("overloaded", "Temporarily unable to accept jobs", 503);

    private final String slug;
    private final String title;
    private final int status;

    Kind(String slug, String title, int status) {
      this.slug = slug;
      this.title = title;
      this.status = status;
    }

    public String type() {
      return "https://spillway.io/problems/" + slug;
    }

    public String title() {
      return title;
    }

    public int status() {
      return status;
    }
  }

  public static final String CONTENT_TYPE = "application/problem+json";

  public Problem {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(detail, "detail");
  }

  public static Problem of(Kind kind, String detail) {
    return new Problem(kind, detail, null);
  }

  public static Problem field(String pointer, String detail) {
    return new Problem(Kind.VALIDATION, detail, pointer);
  }

  public int status() {
    return kind.status();
  }

  /** The problem as JSON; {@code instance} is the request path. */
  public ObjectNode toJson(String instance) {
    ObjectNode json = Json.mapper().createObjectNode();
    json.put("type", kind.type());
    json.put("title", kind.title());
    json.put("status", kind.status());
    json.put("detail", detail);
    if (instance != null) {
      json.put("instance", instance);
    }
    if (field != null) {
      json.putArray("errors").addObject().put("pointer", field).put("detail", detail);
    }
    return json;
  }
}

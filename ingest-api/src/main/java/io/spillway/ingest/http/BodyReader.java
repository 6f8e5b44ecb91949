package io.spillway.ingest.http;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/** Reads a request body up to a limit; answers 413 itself when the body is larger. */
public final class BodyReader {

  private BodyReader() {}

  public static void read(HttpServerRequest request, int limit, Handler<Buffer> onBody) {
    String length = request.getHeader("Content-Length");
    if (length != null) {
      long declared;
      try {
        declared = Long.parseLong(length.trim());
      } catch (NumberFormatException e) {
        Responses.problem(request, Problem.of(Problem.Kind.INVALID_REQUEST, "Content-Length is not a number"));
        return;
      }
      if (declared > limit) {
        tooLarge(request, limit);
        return;
      }
    }
    Buffer body = Buffer.buffer();
    boolean[] refused = {false};
    request.handler(
        chunk -> {
          if (refused[0]) {
            return;
          }
          if (body.length() + chunk.length() > limit) {
            refused[0] = true;
            tooLarge(request, limit);
            return;
          }
          body.appendBuffer(chunk);
        });
    request.endHandler(
        v -> {
          if (!refused[0]) {
            onBody.handle(body);
          }
        });
  }

  private static void tooLarge(HttpServerRequest request, int limit) {
    request.response().putHeader("Connection", "close");
    Responses.problem(request, Problem.of(Problem.Kind.PAYLOAD_TOO_LARGE, "the body may be at most " + limit + " bytes"));
  }
}

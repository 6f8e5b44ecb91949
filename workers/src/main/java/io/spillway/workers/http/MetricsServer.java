package io.spillway.workers.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/** {@code /metrics}, {@code /healthz} and {@code /readyz} of a worker, on the JDK's HTTP server. */
public final class MetricsServer implements AutoCloseable {

  private final HttpServer server;

  public MetricsServer(int port, PrometheusMeterRegistry meters, BooleanSupplier ready) {
    try {
      server = HttpServer.create(new InetSocketAddress(port), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on port " + port + " (SPILLWAY_METRICS_PORT)", e);
    }
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/metrics", ex -> send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", meters.scrape()));
    server.createContext("/healthz", ex -> send(ex, 200, "application/json", "{\"status\":\"UP\"}"));
    server.createContext("/readyz", ex -> {
      boolean ok = ready.getAsBoolean();
      send(ex, ok ? 200 : 503, "application/json", ok ? "{\"status\":\"READY\"}" : "{\"status\":\"STARTING\"}");
    });
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}

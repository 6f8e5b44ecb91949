package io.spillway.streams.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.spillway.schemas.JobType;
import io.spillway.schemas.Json;
import io.spillway.streams.topology.AlertProcessor;
import io.spillway.streams.topology.AlertState;
import io.spillway.streams.topology.StatsTopology;
import io.spillway.streams.topology.WindowAggregate;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;

/**
 * The streams app's HTTP side: {@code GET /v1/stats?type=&window=1s|1m&from=&to=} answered from
 * the window stores (interactive queries, off the event loop), {@code /healthz}, {@code /readyz}
 * (the topology is RUNNING), {@code /metrics} and the live page at {@code /}.
 */
public final class StatsServer implements AutoCloseable {

  private final Vertx vertx;
  private final HttpServer server;
  private final ExecutorService blocking;

  private StatsServer(Vertx vertx, HttpServer server, ExecutorService blocking) {
    this.vertx = vertx;
    this.server = server;
    this.blocking = blocking;
  }

  /**
   * Starts listening before the topology exists (the topology must advertise the port);
   * {@code topology} is read on each request.
   */
  public static StatsServer start(int port, Supplier<KafkaStreams> topology, PrometheusMeterRegistry meters, String advertisedHost) {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();
    HostInfo[] self = new HostInfo[1];
    HttpServer server =
        vertx.createHttpServer()
            .requestHandler(request -> {
              KafkaStreams streams = topology.get();
              if (streams == null) {
                json(request, 503, "{\"type\":\"https://spillway.io/problems/overloaded\",\"title\":\"Starting\",\"status\":503}");
                return;
              }
              switch (request.path()) {
                case "/healthz" -> json(request, 200, "{\"status\":\"UP\"}");
                case "/readyz" -> {
                  boolean running = streams.state() == KafkaStreams.State.RUNNING;
                  json(request, running ? 200 : 503, "{\"status\":\"" + streams.state() + "\"}");
                }
                case "/metrics" -> request.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(meters.scrape());
                case "/v1/stats" -> blocking.execute(() -> stats(request, streams, vertx, self[0]));
                case "/v1/alerts" -> blocking.execute(() -> alerts(request, streams, vertx, self[0]));
                case "/", "/index.html" -> page(request, "static/index.html", "text/html; charset=utf-8");
                default -> json(request, 404, "{\"type\":\"https://spillway.io/problems/not-found\",\"title\":\"Not found\",\"status\":404}");
              }
            })
            .listen(port)
            .await();
    self[0] = new HostInfo(advertisedHost, server.actualPort());
    return new StatsServer(vertx, server, blocking);
  }

  private static void stats(HttpServerRequest request, KafkaStreams streams, Vertx vertx, HostInfo self) {
    String window = request.getParam("window", "1s");
    String store = switch (window) {
      case "1s" -> StatsTopology.STORE_1S;
      case "1m" -> StatsTopology.STORE_1M;
      default -> null;
    };
    Instant to;
    Instant from;
    try {
      to = request.getParam("to") == null ? Instant.now() : Instant.parse(request.getParam("to"));
      from = request.getParam("from") == null ? to.minus(Duration.ofMinutes(5)) : Instant.parse(request.getParam("from"));
    } catch (RuntimeException e) {
      problem(request, vertx, "from and to must be ISO-8601 instants");
      return;
    }
    if (store == null) {
      problem(request, vertx, "window must be 1s or 1m");
      return;
    }
    ArrayNode out = Json.mapper().createArrayNode();
    try {
      ReadOnlyWindowStore<String, WindowAggregate> windows =
          streams.store(StoreQueryParameters.fromNameAndType(store, QueryableStoreTypes.<String, WindowAggregate>windowStore()));
      for (JobType type : JobType.values()) {
        String wanted = request.getParam("type");
        if (wanted != null && !wanted.equals(type.wireName())) {
          continue;
        }
        long size = "1s".equals(window) ? 1000 : 60_000;
        HostInfo owner = owner(streams, store, type.wireName(), request, self);
        if (owner != null) {
          forward(owner, "/v1/stats?type=" + type.wireName() + "&window=" + window + "&from=" + from + "&to=" + to, out);
          continue;
        }
        try (var it = windows.fetch(type.wireName(), from, to)) {
          it.forEachRemaining(kv -> out.add(Json.mapper().valueToTree(
              kv.value.toStats(type, window, Instant.ofEpochMilli(kv.key), Instant.ofEpochMilli(kv.key + size)))));
        }
      }
    } catch (org.apache.kafka.streams.errors.InvalidStateStoreException e) {
      vertx.runOnContext(v -> json(request, 503, "{\"type\":\"https://spillway.io/problems/overloaded\",\"title\":\"Stores not ready\",\"status\":503}"));
      return;
    }
    String body = out.toString();
    vertx.runOnContext(v -> json(request, 200, body));
  }

  /** The open alerts: per job type, each kind that is FIRING. */
  private static void alerts(HttpServerRequest request, KafkaStreams streams, Vertx vertx, HostInfo self) {
    ArrayNode out = Json.mapper().createArrayNode();
    try {
      ReadOnlyKeyValueStore<String, AlertState> states =
          streams.store(StoreQueryParameters.fromNameAndType(AlertProcessor.STORE, QueryableStoreTypes.<String, AlertState>keyValueStore()));
      for (JobType type : JobType.values()) {
        HostInfo owner = owner(streams, AlertProcessor.STORE, type.wireName(), request, self);
        if (owner != null) {
          forward(owner, "/v1/alerts?type=" + type.wireName(), out);
          continue;
        }
        AlertState state = states.get(type.wireName());
        if (state == null || (request.getParam("type") != null && !request.getParam("type").equals(type.wireName()))) {
          continue;
        }
        var kv = org.apache.kafka.streams.KeyValue.pair(type.wireName(), state);
        {
          if (kv.value.sloFiring()) {
            out.addObject().put("type", kv.key).put("kind", "SLO_BREACH").put("state", "FIRING");
          }
          if (kv.value.surgeFiring()) {
            out.addObject().put("type", kv.key).put("kind", "SURGE").put("state", "FIRING");
          }
          if (kv.value.errorFiring()) {
            out.addObject().put("type", kv.key).put("kind", "ERROR_RATE").put("state", "FIRING");
          }
        }
      }
    } catch (org.apache.kafka.streams.errors.InvalidStateStoreException e) {
      vertx.runOnContext(v -> json(request, 503, "{\"type\":\"https://spillway.io/problems/overloaded\",\"title\":\"Stores not ready\",\"status\":503}"));
      return;
    }
    String body = out.toString();
    vertx.runOnContext(v -> json(request, 200, body));
  }

  private static final java.net.http.HttpClient PEERS =
      java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /**
   * The instance that owns a key of a store, when it is another one; null to answer locally (this
   * instance owns it, nobody does yet, or the request was already forwarded).
   */
  private static HostInfo owner(KafkaStreams streams, String store, String key, HttpServerRequest request, HostInfo self) {
    if (request.getParam("local") != null || self == null) {
      return null;
    }
    KeyQueryMetadata meta = streams.queryMetadataForKey(store, key, Serdes.String().serializer());
    HostInfo owner = meta == null ? null : meta.activeHost();
    return owner == null || owner.equals(HostInfo.unavailable()) || owner.equals(self) ? null : owner;
  }

  /** Asks the owning instance (once: the request is marked local) and adds its answer. */
  private static void forward(HostInfo owner, String pathAndQuery, ArrayNode out) {
    try {
      var answer = PEERS.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://" + owner.host() + ":" + owner.port() + pathAndQuery + "&local=true"))
          .timeout(Duration.ofSeconds(5)).GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      if (answer.statusCode() == 200) {
        Json.mapper().readTree(answer.body()).forEach(out::add);
      }
    } catch (IOException e) {
      throw new org.apache.kafka.streams.errors.InvalidStateStoreException("the owning instance " + owner + " did not answer: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void problem(HttpServerRequest request, Vertx vertx, String detail) {
    String body = Json.mapper().createObjectNode().put("type", "https://spillway.io/problems/invalid-request")
        .put("title", "Request is invalid").put("status", 400).put("detail", detail).toString();
    vertx.runOnContext(v -> request.response().setStatusCode(400).putHeader("Content-Type", "application/problem+json").end(body));
  }

  private static void json(HttpServerRequest request, int status, String body) {
    request.response().setStatusCode(status).putHeader("Content-Type", status >= 400 ? "application/problem+json" : "application/json").end(body);
  }

  private static void page(HttpServerRequest request, String resource, String type) {
    try (InputStream in = StatsServer.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        json(request, 404, "{\"status\":404}");
        return;
      }
      request.response().putHeader("Content-Type", type).end(Buffer.buffer(in.readAllBytes()));
    } catch (IOException e) {
      json(request, 500, "{\"status\":500}");
    }
  }

  public int port() {
    return server.actualPort();
  }

  @Override
  public void close() {
    server.close().await();
    blocking.shutdown();
    vertx.close().await();
  }
}

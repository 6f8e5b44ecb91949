package io.spillway.ingest;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.spillway.ingest.auth.ApiKeys;
import io.spillway.ingest.http.BodyReader;
import io.spillway.ingest.http.Problem;
import io.spillway.ingest.http.Responses;
import io.spillway.ingest.jobs.JobIds;
import io.spillway.ingest.limits.IdempotencyRecords;
import io.spillway.ingest.limits.RateLimiter;
import io.spillway.ingest.status.JobStatusReader;
import io.spillway.ingest.status.StatusHandler;
import io.spillway.ingest.submit.BatchHandler;
import io.spillway.ingest.submit.JobCounters;
import io.spillway.ingest.submit.JobParser;
import io.spillway.ingest.submit.JobProducer;
import io.spillway.ingest.submit.SubmitHandler;
import io.spillway.schemas.JobType;
import io.spillway.schemas.Json;
import io.spillway.schemas.Topics;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;

/**
 * The running ingest API: Vert.x event loops (one per core) routing to the handlers, a Kafka
 * producer, Redis and PostgreSQL clients for status reads. Wired here by hand; {@link #close()}
 * stops accepting, finishes in-flight produces, flushes and releases everything.
 */
public final class IngestApi implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(IngestApi.class);
  static final int MAX_BODY_BYTES = 64 * 1024;

  private final Vertx vertx;
  private final List<HttpServer> servers;
  private final JobProducer producer;
  private final RedisClient redis;
  private final HikariDataSource db;
  private final ExecutorService blocking;
  private final PrometheusMeterRegistry meters;
  private final StatusHandler status;
  /** How long close() lets in-flight requests finish: every submit is answered within the produce timeout. */
  private final Duration drainTimeout;

  private IngestApi(Vertx vertx, List<HttpServer> servers, JobProducer producer, RedisClient redis, HikariDataSource db,
      ExecutorService blocking, PrometheusMeterRegistry meters, StatusHandler status, Duration drainTimeout) {
    this.vertx = vertx;
    this.servers = List.copyOf(servers);
    this.producer = producer;
    this.redis = redis;
    this.db = db;
    this.blocking = blocking;
    this.meters = meters;
    this.status = status;
    this.drainTimeout = drainTimeout;
  }

  public static IngestApi start(IngestConfig config) {
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(meters);
    new JvmGcMetrics().bindTo(meters);
    new JvmThreadMetrics().bindTo(meters);
    new ProcessorMetrics().bindTo(meters);
    JobCounters counters = new JobCounters(meters);
    Topics topics = Topics.withPrefix(config.topicPrefix());
    JobProducer producer = new JobProducer(config.kafkaBootstrap(), topics, config.maxInFlight(), config.produceTimeout(), config.produceLinger(), meters);
    if (!producer.warmUp(Duration.ofSeconds(10))) {
      log.warn("Kafka at {} did not answer at start-up; submits answer 503 until it does", config.kafkaBootstrap());
    }
    RedisClient redis =
        RedisClient.builder()
            .hostAndPort(config.redis().getHost(), config.redis().getPort())
            .clientConfig(DefaultJedisClientConfig.builder().connectionTimeoutMillis(500).socketTimeoutMillis(1000).build())
            .build();
    HikariConfig hikari = new HikariConfig();
    hikari.setJdbcUrl(config.pgUrl());
    hikari.setUsername(config.pgUser());
    hikari.setPassword(config.pgPassword());
    hikari.setPoolName("ingest-status");
    hikari.setMaximumPoolSize(8);
    hikari.setConnectionTimeout(1000);
    // start even when PostgreSQL is down: it is only the status fallback
    hikari.setInitializationFailTimeout(-1);
    hikari.setMetricRegistry(meters);
    HikariDataSource db = new HikariDataSource(hikari);
    ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();

    int eventLoops = Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops).setPreferNativeTransport(true));
    JobIds ids = new JobIds(config.jobIdSecret());
    ApiKeys keys = new ApiKeys(config.apiKeys());
    SubmitHandler.Limits limits =
        new SubmitHandler.Limits(new RateLimiter(config.rateLimits(), config.defaultRateLimit()),
            new IdempotencyRecords(redis, Duration.ofHours(24)), blocking, config.maxInFlight(), config.paymentReserve());
    SubmitHandler submit =
        new SubmitHandler(vertx, new JobParser(Set.of("default")), producer, ids, SUBMIT_CLOCK, counters, limits);
    StatusHandler status = new StatusHandler(vertx, ids, new JobStatusReader(redis, db, meters), blocking);
    BatchHandler batch = new BatchHandler(vertx, new JobParser(Set.of("default")), producer, ids, SUBMIT_CLOCK, counters, limits);
    Routes routes = new Routes(keys, submit, batch, status, producer, meters, config.maxInFlight());

    // One HTTP server per event loop, all on one port: Vert.x binds the socket once and deals the
    // connections out round robin. A single server would run every connection on one event loop,
    // that is on one core, whatever the pool size. (Port 0 asks for a free port; -1 asks for one
    // that the instances share.)
    HttpServerOptions options =
        new HttpServerOptions().setPort(config.httpPort() == 0 ? -1 : config.httpPort()).setHost("0.0.0.0")
            // a connection whose client sent nothing for the idle timeout is closed. Read-idle, not
            // all-idle: every answer answers a request, so the two close the same connections, but
            // an all-idle watch also timestamps each write, through a promise and a listener per
            // answer (measured in turns: 6.5% more accepted jobs/s without them)
            .setReadIdleTimeout((int) config.httpIdleTimeout().toMillis()).setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
            // the API serves no WebSockets: without compression offered for them, Netty's WebSocket
            // extension handler leaves the pipeline, which every request and answer went through
            .setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false)
            // every answer is written on its connection's event loop (results computed elsewhere
            // come back through runOnContext), so Vert.x may write it directly instead of through
            // a queue any thread could use (in turns: 3% more accepted jobs/s)
            .setStrictThreadMode(true);
    List<HttpServer> servers = new java.util.concurrent.CopyOnWriteArrayList<>();
    vertx.deployVerticle(() -> new HttpVerticle(options, routes, servers), new DeploymentOptions().setInstances(eventLoops)).await();
    int port = actualPort(servers);
    log.info("Ingest API listening on port {} with {} event loops on {} (Kafka {}, {} tenants)", port, servers.size(),
        vertx.isNativeTransportEnabled() ? EPOLL : "NIO, epoll unavailable: " + vertx.unavailableNativeTransportCause(), config.kafkaBootstrap(),
        config.apiKeys().values().stream().distinct().count());
    return new IngestApi(vertx, servers, producer, redis, db, blocking, meters, status, config.produceTimeout().plusSeconds(1));
  }

  /**
   * The event loops' I/O: {@code epoll} on Linux x86-64 (Netty's native transport: fewer system
   * calls per request, measured about 7% more accepted jobs/s), {@code nio} where it cannot load.
   */
  public String transport() {
    return vertx.isNativeTransportEnabled() ? EPOLL : "nio";
  }

  private static final String EPOLL = "epoll";

  /**
   * Submit times to the millisecond, as the submittedAt header carries them: the jobs of one
   * millisecond share one instant, whose text an envelope then writes from its thread's cache of
   * recent instants (JsonBytes). With the system clock's microseconds every job had an instant of
   * its own to format (measured: 3.7% of the API's CPU at 36,000 jobs/s).
   */
  private static final Clock SUBMIT_CLOCK = Clock.tickMillis(java.time.ZoneOffset.UTC);

  /** The port the server listens on. */
  public int port() {
    return actualPort(servers);
  }

  /**
   * Stops as SIGTERM asks: no new connections; every request in flight is answered — a submit by
   * its acknowledgement (or its 503), a long poll at once with the job's current state — and its
   * connection closed, for at most the produce timeout and a second; then the producer flushes
   * what it still holds, and the clients close.
   */
  @Override
  public void close() {
    log.info("Ingest API stopping: no new connections, answering the requests in flight ({} produces)", producer.inFlight());
    status.stopWaiting();
    try {
      List<Future<Void>> shutdowns = servers.stream().map(s -> s.shutdown(drainTimeout.toMillis(), TimeUnit.MILLISECONDS)).toList();
      Future.join(shutdowns).await();
    } catch (RuntimeException e) {
      log.warn("Shutting the HTTP server down: {}", e.getMessage());
    }
    producer.close(Duration.ofSeconds(20));
    blocking.shutdown();
    redis.close();
    db.close();
    vertx.close().await();
    meters.close();
    log.info("Ingest API stopped");
  }

  /** The bound port (only the server that bound the shared socket knows it). */
  private static int actualPort(List<HttpServer> servers) {
    return servers.stream().mapToInt(HttpServer::actualPort).max().orElseThrow();
  }

  /** One HTTP server, on the event loop this verticle instance is deployed to. */
  private static final class HttpVerticle extends VerticleBase {
    private final HttpServerOptions options;
    private final Routes routes;
    private final List<HttpServer> servers;

    HttpVerticle(HttpServerOptions options, Routes routes, List<HttpServer> servers) {
      this.options = options;
      this.routes = routes;
      this.servers = servers;
    }

    @Override
    public Future<?> start() {
      return vertx.createHttpServer(options).requestHandler(routes::handle).listen().onSuccess(servers::add);
    }
  }

  /** Request routing: paths, methods, authentication, content type and body limits. */
  static final class Routes {

    private final ApiKeys keys;
    private final SubmitHandler submit;
    private final BatchHandler batch;
    private final StatusHandler status;
    private final JobProducer producer;
    private final PrometheusMeterRegistry meters;
    private final int maxInFlight;
    private final Map<TimerKey, Timer> requestTimers = new ConcurrentHashMap<>();

    Routes(ApiKeys keys, SubmitHandler submit, BatchHandler batch, StatusHandler status, JobProducer producer, PrometheusMeterRegistry meters, int maxInFlight) {
      this.keys = keys;
      this.submit = submit;
      this.batch = batch;
      this.status = status;
      this.producer = producer;
      this.meters = meters;
      this.maxInFlight = maxInFlight;
    }

    void handle(HttpServerRequest request) {
      long started = System.nanoTime();
      String route = route(request.path());
      Responses.echoRequestId(request);
      request.response().endHandler(v -> requestTimer(route, request.method(), request.response().getStatusCode())
          .record(System.nanoTime() - started, TimeUnit.NANOSECONDS));
      switch (route) {
        case "/healthz" -> onlyGet(request, () -> Responses.json(request, 200, Json.mapper().createObjectNode().put("status", "UP")));
        case "/readyz" -> onlyGet(request, () -> ready(request));
        case "/metrics" -> onlyGet(request, () -> request.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(meters.scrape()));
        case "/v1/jobs/{type}", "/v1/jobs/batch" -> post(request, route.equals("/v1/jobs/batch"));
        case "/openapi.yaml" -> onlyGet(request, () -> openApi(request));
        case "/v1/jobs/{id}" -> {
          if (request.method() == HttpMethod.POST) {
            Responses.problem(request, Problem.of(Problem.Kind.NOT_FOUND, "unknown job type '" + lastSegment(request.path()) + "'; known: payment, prediction"));
          } else {
            onlyGet(request, () -> authenticated(request).ifPresent(tenant -> status.status(request, tenant, lastSegment(request.path()))));
          }
        }
        default -> Responses.problem(request, Problem.of(Problem.Kind.NOT_FOUND, "no such resource: " + request.path()));
      }
    }

    /** The request timer of a route, method and status; registered once, then found in a map. */
    private Timer requestTimer(String route, HttpMethod method, int status) {
      return requestTimers.computeIfAbsent(new TimerKey(route, method, status), k -> Timer.builder("spillway.ingest.requests")
          .tag("route", k.route()).tag("method", k.method().name()).tag("status", String.valueOf(k.status()))
          .publishPercentileHistogram().register(meters));
    }

    private record TimerKey(String route, HttpMethod method, int status) {}

    private static String route(String path) {
      if (path.equals("/healthz") || path.equals("/readyz") || path.equals("/metrics") || path.equals("/openapi.yaml")) {
        return path;
      }
      if (path.startsWith("/v1/jobs/") && path.indexOf('/', 9) < 0 && path.length() > 9) {
        String rest = path.substring(9);
        if (rest.equals("batch")) {
          return "/v1/jobs/batch";
        }
        return JobType.fromWireName(rest).isPresent() && rest.equals(rest.toLowerCase(Locale.ROOT)) ? "/v1/jobs/{type}" : "/v1/jobs/{id}";
      }
      return "other";
    }

    private void post(HttpServerRequest request, boolean isBatch) {
      if (request.method() != HttpMethod.POST) {
        request.response().putHeader("Allow", "POST");
        Responses.problem(request, Problem.of(Problem.Kind.METHOD_NOT_ALLOWED, request.method().name() + " is not allowed here"));
        return;
      }
      Optional<String> tenant = authenticated(request);
      if (tenant.isEmpty()) {
        return;
      }
      if (!isJson(request.getHeader(HttpHeaders.CONTENT_TYPE))) {
        Responses.problem(request, Problem.of(Problem.Kind.UNSUPPORTED_MEDIA_TYPE, "send the job as application/json"));
        return;
      }
      if (isBatch) {
        BodyReader.read(request, MAX_BODY_BYTES, body -> batch.items(request, body.getBytes())
            .filter(jobs -> submit.withinRate(request, tenant.get(), jobs.size()))
            .ifPresent(jobs -> batch.submit(request, tenant.get(), jobs)));
        return;
      }
      if (!submit.withinRate(request, tenant.get(), 1)) {
        return;
      }
      JobType type = JobType.fromWireName(lastSegment(request.path())).orElseThrow();
      BodyReader.read(request, MAX_BODY_BYTES, body -> submit.submit(request, tenant.get(), type, body.getBytes()));
    }

    private static final Pattern JSON_TYPE = Pattern.compile("application/json\\s*(;\\s*charset=\"?utf-8\"?\\s*)?", Pattern.CASE_INSENSITIVE);

    /** application/json, optionally with charset=utf-8. */
    static boolean isJson(String contentType) {
      return contentType != null && (contentType.equalsIgnoreCase("application/json") || JSON_TYPE.matcher(contentType).matches());
    }

    private void openApi(HttpServerRequest request) {
      try (var in = IngestApi.class.getResourceAsStream("/openapi.yaml")) {
        request.response().putHeader("Content-Type", "application/yaml").end(io.vertx.core.buffer.Buffer.buffer(in.readAllBytes()));
      } catch (java.io.IOException | NullPointerException e) {
        Responses.problem(request, Problem.of(Problem.Kind.NOT_FOUND, "the OpenAPI document is missing from this build"));
      }
    }

    private Optional<String> authenticated(HttpServerRequest request) {
      Optional<String> tenant = keys.tenantOf(request.getHeader(HttpHeaders.AUTHORIZATION));
      if (tenant.isEmpty()) {
        request.response().putHeader("WWW-Authenticate", "Bearer realm=\"spillway\"");
        Responses.problem(request, Problem.of(Problem.Kind.UNAUTHORIZED, "send Authorization: Bearer <api-key>"));
      }
      return tenant;
    }

    private void ready(HttpServerRequest request) {
      boolean shedding = producer.inFlight() >= maxInFlight * 9L / 10 || !producer.ready();
      var body = Json.mapper().createObjectNode().put("status", shedding ? "SHEDDING" : "READY").put("inFlight", producer.inFlight());
      Responses.json(request, shedding ? 503 : 200, body);
    }

    private static void onlyGet(HttpServerRequest request, Runnable handler) {
      if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
        request.response().putHeader("Allow", "GET");
        Responses.problem(request, Problem.of(Problem.Kind.METHOD_NOT_ALLOWED, request.method().name() + " is not allowed here"));
        return;
      }
      handler.run();
    }

    private static String lastSegment(String path) {
      return path.substring(path.lastIndexOf('/') + 1);
    }
  }
}

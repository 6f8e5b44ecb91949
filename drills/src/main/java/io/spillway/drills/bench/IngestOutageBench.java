package io.spillway.drills.bench;

import io.spillway.devstack.Ports;
import io.spillway.devstack.ProcessKafkaBroker;
import io.spillway.devstack.TopicCreator;
import io.spillway.drills.infra.ServiceProcess;
import io.spillway.schemas.Topics;
import io.spillway.schemas.env.SpillwayEnv;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.stream.Collectors;

/**
 * The outage phase of the ingest benchmark ({@code scripts/bench-ingest.sh}): how the ingest API
 * answers while Kafka is gone, against the target "Kafka stopped: 503 with Retry-After in under
 * 50 ms for every request; accepted again within 5 s of its return". Runs a broker of its own and
 * one ingest-api from its jar, drives {@code POST /v1/jobs/payment} at a fixed arrival rate
 * ({@link OutageLoad}), and takes the broker away twice: a graceful stop, then a SIGKILL crash,
 * each time restarting it after {@value #DOWN_SECONDS} s. Reports, per phase (by send time),
 * answers by status, latency from the intended send time, answers over 50 ms and 503s without
 * Retry-After; per cycle, the time from the broker's restart to the first 202. It measures and
 * reports; a missed target does not fail it.
 *
 * <p>Arguments: ratePerSecond ingestJar resultsFile. PostgreSQL and Redis from the
 * {@code SPILLWAY_*} environment.
 */
public final class IngestOutageBench {

  private static final String TENANT = "bench";
  private static final String API_KEY = "bench-outage-key-0123456789";
  private static final String TOPIC_PREFIX = "outage.";
  private static final int WARM_UP_SECONDS = 10;
  private static final int UP_SECONDS = 5;
  private static final int DOWN_SECONDS = 8;
  private static final int RECOVERING_SECONDS = 10;
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private IngestOutageBench() {}

  /** One broker outage: how long taking it away and bringing it back took, and when jobs were accepted again. */
  record Cycle(String name, double takeDownMillis, double downSeconds, double startMillis, OptionalDouble recoveryMillis) {}

  public static void main(String[] args) throws Exception {
    int rate = Integer.parseInt(args[0]);
    Path ingestJar = Path.of(args[1]);
    Path results = Path.of(args[2]);
    Path dir = ScratchDir.create("bench-ingest-outage", "broker data and logs");

    List<Cycle> cycles;
    List<PhaseTally.Report> phases;
    try (ProcessKafkaBroker broker = ProcessKafkaBroker.launch(dir.resolve("kafka"), 0, "512m")) {
      TopicCreator.create(broker.bootstrap(), Topics.withPrefix(TOPIC_PREFIX), (short) 1);
      int port = Ports.free();
      try (ServiceProcess ingest = new ServiceProcess("outage-ingest-api", ingestJar, ingestEnv(broker.bootstrap(), port), dir)) {
        // a Ctrl-C must not leave the API running; the broker exits by itself with this JVM
        Thread stopIngest = new Thread(ingest::close, "outage-stop-ingest");
        Runtime.getRuntime().addShutdownHook(stopIngest);
        ingest.start();
        String api = "http://127.0.0.1:" + port;
        awaitReady(api, ingest);
        OutageLoad load = new OutageLoad(api, API_KEY, rate);
        try (load) {
          System.out.printf("outage: %,d req/s open loop against %s; Kafka at %s is stopped, then killed%n", rate, api, broker.bootstrap());
          // a fresh JVM: its first seconds at this rate are JIT compilation, not the API's steady state
          load.start("warm-up");
          Thread.sleep(WARM_UP_SECONDS * 1000L);
          Cycle stopped = outage(load, broker, "stop", "stopping", "down", broker::stop);
          Cycle killed = outage(load, broker, "kill", "killing", "killed", broker::kill);
          cycles = List.of(stopped, killed);
        }
        phases = load.reports();
        Runtime.getRuntime().removeShutdownHook(stopIngest);
      }
    }
    String table = table(rate, phases, cycles);
    System.out.print(table);
    Files.writeString(results, table, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    ScratchDir.remove(dir);
  }

  /**
   * Up for a while, then the broker taken away (in a phase of its own while that takes time), down
   * for {@value #DOWN_SECONDS} s, starting (from the restart until the broker answers; the target's
   * "Kafka stopped" is the down phase, while a starting broker may already take jobs or hold them),
   * then recovering.
   */
  private static Cycle outage(OutageLoad load, ProcessKafkaBroker broker, String cycle, String takingDown, String down, Runnable takeDown)
      throws InterruptedException {
    load.phase(cycle + "/up");
    Thread.sleep(UP_SECONDS * 1000L);
    load.phase(cycle + "/" + takingDown);
    long t0 = System.nanoTime();
    takeDown.run();
    long t1 = System.nanoTime();
    if (!down.equals(takingDown)) {
      load.phase(cycle + "/" + down);
    }
    Thread.sleep(DOWN_SECONDS * 1000L);
    load.phase(cycle + "/starting");
    long t2 = System.nanoTime();
    broker.start();
    long t3 = System.nanoTime();
    load.phase(cycle + "/recovering");
    load.markRecovery();
    Thread.sleep(RECOVERING_SECONDS * 1000L);
    return new Cycle(cycle, (t1 - t0) / 1e6, (t3 - t1) / 1e9, (t3 - t2) / 1e6, load.recoveryMillis());
  }

  /** The inherited environment (PostgreSQL, Redis) plus this bench's broker, port, topics and tenant. */
  private static Map<String, String> ingestEnv(String bootstrap, int port) {
    SpillwayEnv env = SpillwayEnv.system();
    Map<String, String> ingestEnv = new HashMap<>(System.getenv());
    ingestEnv.put(SpillwayEnv.PG_URL, env.jdbcUrl(SpillwayEnv.PG_URL, SpillwayEnv.DEFAULT_PG_URL));
    ingestEnv.put(SpillwayEnv.PG_USER, env.string(SpillwayEnv.PG_USER, SpillwayEnv.DEFAULT_PG_USER));
    ingestEnv.put(SpillwayEnv.PG_PASSWORD, env.secret(SpillwayEnv.PG_PASSWORD, ""));
    ingestEnv.put(SpillwayEnv.REDIS_URL, env.redisUri(SpillwayEnv.REDIS_URL, SpillwayEnv.DEFAULT_REDIS_URL).toString());
    ingestEnv.put(SpillwayEnv.KAFKA_BOOTSTRAP, bootstrap);
    ingestEnv.put(SpillwayEnv.HTTP_PORT, String.valueOf(port));
    ingestEnv.put(SpillwayEnv.TOPIC_PREFIX, TOPIC_PREFIX);
    ingestEnv.put(SpillwayEnv.API_KEYS, TENANT + ":" + API_KEY);
    // every feature stays on: the tenant is rate limited too, just high enough for the test
    ingestEnv.put("SPILLWAY_RATE_LIMITS", TENANT + ":1000000");
    return ingestEnv;
  }

  private static void awaitReady(String api, ServiceProcess ingest) throws InterruptedException {
    HttpRequest ready = HttpRequest.newBuilder(URI.create(api + "/readyz")).timeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()) {
      while (System.nanoTime() < deadline && ingest.alive()) {
        try {
          if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
            return;
          }
        } catch (java.io.IOException notYet) {
          // not listening yet
        }
        Thread.sleep(250);
      }
    }
    throw new IllegalStateException("the ingest API was not ready within " + READY_TIMEOUT + " (alive: " + ingest.alive() + ")");
  }

  private static String table(int rate, List<PhaseTally.Report> phases, List<Cycle> cycles) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, """
        ## Ingest under a Kafka outage %s — %d cores, broker + ingest + load on one machine, %,d req/s open loop

        Target: Kafka stopped: 503 with Retry-After in under %d ms for every request; accepted again within 5 s of its return.
        Requests count in the phase they were sent in; latency from the intended send time, transport errors included.
        Kafka is stopped in the down and killed phases; starting runs from its restart until it answers again.

        | phase | s | sent | 202 | 503 | other | transport error | p50 / p99 / max ms | over %d ms | 503 without Retry-After |
        | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
        """, Instant.now(), Runtime.getRuntime().availableProcessors(), rate, PhaseTally.SLOW_MILLIS, PhaseTally.SLOW_MILLIS));
    for (PhaseTally.Report p : phases) {
      out.append(String.format(Locale.ROOT, "| %s | %.1f | %,d | %,d | %,d | %s | %,d | %.1f / %.1f / %.1f | %,d | %,d |%n",
          p.phase(), p.seconds(), p.sent(), p.accepted(), p.unavailable(), others(p), p.transportErrors(), p.p50Millis(), p.p99Millis(),
          p.maxMillis(), p.slow(), p.withoutRetryAfter()));
    }
    out.append("""

        | cycle | taking the broker down took | down (taken down → start() returned) | start() took | start() returned → first 202 |
        | --- | --- | --- | --- | --- |
        """);
    for (Cycle c : cycles) {
      String recovery = c.recoveryMillis().isPresent() ? String.format(Locale.ROOT, "%.0f ms", c.recoveryMillis().getAsDouble()) : "no 202";
      out.append(String.format(Locale.ROOT, "| %s | %.0f ms | %.1f s | %.0f ms | %s |%n", c.name(), c.takeDownMillis(), c.downSeconds(), c.startMillis(),
          recovery));
    }
    return out.append('\n').toString();
  }

  private static String others(PhaseTally.Report p) {
    if (p.others() == 0) {
      return "0";
    }
    return String.format(Locale.ROOT, "%,d (%s)", p.others(),
        p.otherStatuses().entrySet().stream().map(e -> e.getKey() + "×" + e.getValue()).collect(Collectors.joining(", ")));
  }
}

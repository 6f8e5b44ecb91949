package io.spillway.drills.infra;

import io.spillway.devstack.Migrations;
import io.spillway.devstack.ProcessKafkaBroker;
import io.spillway.devstack.Ports;
import io.spillway.devstack.TopicCreator;
import io.spillway.schemas.Topics;
import io.spillway.schemas.env.SpillwayEnv;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a drill runs, each part its own and killable: a Kafka broker, PostgreSQL, Redis,
 * one ingest-api, N workers and the streams app, the services from their runnable jars.
 */
public final class DrillStack implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DrillStack.class);

  /** The tenant and key the drill's client uses. */
  public static final String TENANT = "drill";

  public static final String API_KEY = "drill-key-0123456789";

  private final ProcessKafkaBroker broker;
  private final RestartablePostgres postgres;
  private final RestartableRedis redis;
  private final ServiceProcess ingest;
  private final List<ServiceProcess> workers;
  private final ServiceProcess streams;
  private final int httpPort;
  private final Path dir;

  private DrillStack(
      ProcessKafkaBroker broker,
      RestartablePostgres postgres,
      RestartableRedis redis,
      ServiceProcess ingest,
      List<ServiceProcess> workers,
      ServiceProcess streams,
      int httpPort,
      Path dir) {
    this.broker = broker;
    this.postgres = postgres;
    this.redis = redis;
    this.ingest = ingest;
    this.workers = workers;
    this.streams = streams;
    this.httpPort = httpPort;
    this.dir = dir;
  }

  /**
   * @param dir where data and logs go
   * @param jars the directory holding the modules (the repository root)
   * @param workerCount how many worker processes
   */
  public static DrillStack start(Path dir, Path jars, int workerCount) {
    RestartableRedis redis = new RestartableRedis();
    redis.start();
    RestartablePostgres postgres = new RestartablePostgres(dir.resolve("postgres"));
    postgres.start();
    Migrations.apply(postgres.endpoint());
    ProcessKafkaBroker broker = ProcessKafkaBroker.launch(dir.resolve("kafka"), 0, "768m");
    TopicCreator.create(broker.bootstrap(), Topics.defaults(), (short) 1);

    Map<String, String> env = new LinkedHashMap<>();
    env.put(SpillwayEnv.KAFKA_BOOTSTRAP, broker.bootstrap());
    env.put(SpillwayEnv.PG_URL, postgres.endpoint().url());
    env.put(SpillwayEnv.PG_USER, postgres.endpoint().user());
    env.put(SpillwayEnv.PG_PASSWORD, postgres.endpoint().password());
    env.put(SpillwayEnv.REDIS_URL, redis.url());
    env.put(SpillwayEnv.API_KEYS, TENANT + ":" + API_KEY);
    env.put("SPILLWAY_JOB_ID_SECRET", "drill-secret-drill-secret-drill-secret");
    int httpPort = Ports.free();
    Path logs = dir.resolve("logs");
    logs.toFile().mkdirs();

    ServiceProcess ingest =
        new ServiceProcess("ingest-api", jars.resolve("ingest-api/target/spillway-ingest-api.jar"),
            with(env, SpillwayEnv.HTTP_PORT, httpPort), logs);
    List<ServiceProcess> workers = new ArrayList<>();
    for (int i = 1; i <= workerCount; i++) {
      Map<String, String> workerEnv = with(env, SpillwayEnv.METRICS_PORT, Ports.free());
      workerEnv.put("SPILLWAY_FAULT_HALT_FILE", haltTrigger(dir, "workers-" + i).toString());
      workers.add(new ServiceProcess("workers-" + i, ServiceProcess.WORKER_JVM, jars.resolve("workers/target/spillway-workers.jar"), workerEnv, logs));
    }
    Map<String, String> streamsEnv = with(env, SpillwayEnv.STATS_PORT, Ports.free());
    streamsEnv.put("SPILLWAY_STREAMS_STATE_DIR", dir.resolve("streams-state").toString());
    ServiceProcess streams =
        new ServiceProcess("streams-app", jars.resolve("streams-app/target/spillway-streams-app.jar"), streamsEnv, logs);

    DrillStack stack = new DrillStack(broker, postgres, redis, ingest, workers, streams, httpPort, dir);
    ingest.start();
    workers.forEach(ServiceProcess::start);
    streams.start();
    log.info("Drill stack up: API http://127.0.0.1:{}, Kafka {}, PostgreSQL {}, Redis {}",
        httpPort, broker.bootstrap(), postgres.endpoint().url(), redis.url());
    return stack;
  }

  private static Map<String, String> with(Map<String, String> env, String name, int port) {
    Map<String, String> copy = new LinkedHashMap<>(env);
    copy.put(name, String.valueOf(port));
    return copy;
  }

  /** The file that makes a worker halt right after its next database commit (see WorkersConfig). */
  public static Path haltTrigger(Path dir, String worker) {
    return dir.resolve("halt-" + worker);
  }

  public Path dir() {
    return dir;
  }

  public String apiUrl() {
    return "http://127.0.0.1:" + httpPort;
  }

  public ProcessKafkaBroker broker() {
    return broker;
  }

  public RestartablePostgres postgres() {
    return postgres;
  }

  public RestartableRedis redis() {
    return redis;
  }

  public ServiceProcess ingest() {
    return ingest;
  }

  public List<ServiceProcess> workers() {
    return workers;
  }

  @Override
  public void close() {
    List<AutoCloseable> parts = new ArrayList<>();
    parts.add(streams);
    parts.addAll(workers);
    parts.add(ingest);
    parts.add(broker);
    parts.add(postgres);
    parts.add(redis);
    for (AutoCloseable part : parts) {
      try {
        part.close();
      } catch (Exception e) {
        log.warn("Could not stop {}: {}", part, e.getMessage());
      }
    }
  }
}

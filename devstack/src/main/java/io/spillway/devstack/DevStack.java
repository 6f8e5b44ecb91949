package io.spillway.devstack;

import io.spillway.schemas.Topics;
import io.spillway.schemas.env.SpillwayEnv;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running pipeline infrastructure: a Kafka broker with the topics, PostgreSQL with the
 * migrations applied, and Redis. Whoever calls {@link #start} owns the stack and closes it, which
 * stops every part it started (and leaves configured servers alone) and, for a stack that is not
 * persistent, removes its data.
 */
public final class DevStack implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DevStack.class);

  private final KafkaBroker broker;
  private final PostgresProvider postgres;
  private final RedisProvider redis;
  private final Topics topics;
  private final Optional<Path> throwAwayDir;
  private final Thread shutdownHook;

  private DevStack(
      KafkaBroker broker, PostgresProvider postgres, RedisProvider redis, Topics topics, Optional<Path> throwAwayDir) {
    this.broker = broker;
    this.postgres = postgres;
    this.redis = redis;
    this.topics = topics;
    this.throwAwayDir = throwAwayDir;
    this.shutdownHook = new Thread(this::stopQuietly, "devstack-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Starts whatever the configuration does not point at, creates topics, migrates the database. */
  public static DevStack start(DevStackConfig config) {
    long began = System.nanoTime();
    List<AutoCloseable> started = new ArrayList<>();
    try {
      RedisProvider redis =
          RedisProvider.start(config.redis(), URI.create(SpillwayEnv.DEFAULT_REDIS_URL));
      started.add(redis);
      PostgresProvider postgres =
          PostgresProvider.start(
              config.pg(),
              DevStackConfig.defaultPg(SpillwayEnv.system()),
              config.persistent() ? config.dir().resolve("postgres") : null,
              config.freshDatabase());
      started.add(postgres);
      Migrations.apply(postgres.endpoint());
      KafkaBroker broker = startBroker(config);
      started.add(broker);
      Topics topics = Topics.withPrefix(config.topicPrefix());
      TopicCreator.create(broker.bootstrap(), topics, (short) 1);
      DevStack stack =
          new DevStack(
              broker, postgres, redis, topics, config.persistent() ? Optional.empty() : Optional.of(config.dir()));
      log.info(
          "Devstack ready in {} ms: Kafka {}, PostgreSQL {}, Redis {}",
          (System.nanoTime() - began) / 1_000_000,
          broker.bootstrap(),
          postgres.endpoint().url(),
          redis.uri());
      return stack;
    } catch (RuntimeException e) {
      for (AutoCloseable part : started.reversed()) {
        try {
          part.close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  private static KafkaBroker startBroker(DevStackConfig config) {
    if (config.kafkaBootstrap().isPresent()) {
      log.info("Using the configured Kafka at {}", config.kafkaBootstrap().get());
      return new ExternalKafkaBroker(config.kafkaBootstrap().get());
    }
    return switch (config.kafkaMode()) {
      case EMBEDDED ->
          ProcessKafkaBroker.launch(config.dir().resolve("kafka"), config.kafkaPort(), config.kafkaHeap());
      case TESTCONTAINERS -> ContainerKafkaBroker.launch();
    };
  }

  public String kafkaBootstrap() {
    return broker.bootstrap();
  }

  public String pgUrl() {
    return postgres.endpoint().url();
  }

  public String pgUser() {
    return postgres.endpoint().user();
  }

  public String pgPassword() {
    return postgres.endpoint().password();
  }

  public PgEndpoint pg() {
    return postgres.endpoint();
  }

  /** {@code redis://host:port}. */
  public String redisUrl() {
    return redis.uri().toString();
  }

  /** The pipeline topics under the configured prefix; all of them exist. */
  public Topics topics() {
    return topics;
  }

  /** The broker, with stop, kill and start for fault tests. */
  public KafkaBroker broker() {
    return broker;
  }

  /** A new connection to the stack's database; the caller closes it. */
  public Connection pgConnection() throws SQLException {
    return postgres.endpoint().connect();
  }

  /** Creates the topics of another prefix, e.g. one per test. */
  public void createTopics(Topics more) {
    TopicCreator.create(broker.bootstrap(), more, (short) 1);
  }

  /** The {@code SPILLWAY_*} variables a service needs to use this stack. */
  public Map<String, String> env() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put(SpillwayEnv.KAFKA_BOOTSTRAP, kafkaBootstrap());
    env.put(SpillwayEnv.PG_URL, pgUrl());
    env.put(SpillwayEnv.PG_USER, pgUser());
    env.put(SpillwayEnv.PG_PASSWORD, pgPassword());
    env.put(SpillwayEnv.REDIS_URL, redisUrl());
    env.put(SpillwayEnv.TOPIC_PREFIX, topics.prefix());
    return env;
  }

  /** A one-line description of where each part runs and whether it is embedded. */
  public String describe() {
    return "Kafka %s (%s), PostgreSQL %s (%s), Redis %s (%s)"
        .formatted(
            kafkaBootstrap(),
            broker instanceof ExternalKafkaBroker ? "configured" : "embedded",
            pgUrl(),
            postgres.embedded() ? "embedded" : "local server",
            redisUrl(),
            redis.embedded() ? "embedded" : "local server");
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or about to; it does the same
    }
    stopQuietly();
  }

  private synchronized void stopQuietly() {
    for (AutoCloseable part : List.<AutoCloseable>of(broker, postgres, redis)) {
      try {
        part.close();
      } catch (Exception e) {
        log.warn("Could not stop {}: {}", part.getClass().getSimpleName(), e.getMessage());
      }
    }
    // a test stack's broker data would otherwise pile up in the temporary directory, run after run
    try {
      throwAwayDir.ifPresent(Directories::removeTree);
    } catch (UncheckedIOException e) {
      log.warn("Could not remove the stack's data: {}", e.getMessage());
    }
  }
}

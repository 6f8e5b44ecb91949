package io.spillway.devstack;

import io.spillway.schemas.env.ConfigException;
import io.spillway.schemas.env.SpillwayEnv;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What a stack should start and what it should reuse. Each part that is configured (an existing
 * broker, database or Redis) is used as is; the rest is started embedded.
 *
 * @param kafkaBootstrap an existing cluster to use ({@code SPILLWAY_KAFKA_BOOTSTRAP}), if any
 * @param kafkaMode how to start a broker when none is configured
 * @param kafkaPort the client port of an embedded broker, 0 for any free port
 * @param kafkaHeap the heap of the embedded broker JVM ({@code SPILLWAY_KAFKA_HEAP})
 * @param pg an explicitly configured PostgreSQL ({@code SPILLWAY_PG_URL}), if any
 * @param redis an explicitly configured Redis ({@code SPILLWAY_REDIS_URL}), if any
 * @param dir where embedded parts keep their data and logs ({@code SPILLWAY_DEVSTACK_DIR})
 * @param persistent whether embedded data survives a restart of the stack
 * @param freshDatabase a database to create for this stack alone and drop on close, or null
 * @param topicPrefix the prefix of every topic name ({@code SPILLWAY_TOPIC_PREFIX})
 */
public record DevStackConfig(
    Optional<String> kafkaBootstrap,
    KafkaMode kafkaMode,
    int kafkaPort,
    String kafkaHeap,
    Optional<PgEndpoint> pg,
    Optional<URI> redis,
    Path dir,
    boolean persistent,
    String freshDatabase,
    String topicPrefix) {

  /** Variable: the directory of the embedded stack's data and logs (default {@code .devstack}). */
  public static final String DEVSTACK_DIR = "SPILLWAY_DEVSTACK_DIR";
  /** Variable: the port of the embedded broker (default 9092 when free, else any free port). */
  public static final String KAFKA_PORT = "SPILLWAY_KAFKA_PORT";
  /** Variable: the heap of the embedded broker JVM (default 768m). */
  public static final String KAFKA_HEAP = "SPILLWAY_KAFKA_HEAP";
  /** Variable: {@code embedded} (default) or {@code testcontainers}, for integration tests. */
  public static final String TEST_KAFKA = "SPILLWAY_TEST_KAFKA";

  /** How a broker is provided when none is configured. */
  public enum KafkaMode {
    /** A real KRaft broker from the kafka_2.13 artifact in a child JVM (the default). */
    EMBEDDED,
    /** Testcontainers' Kafka module; needs a Docker engine. */
    TESTCONTAINERS
  }

  /** The configuration of {@code scripts/run-local.sh}: persistent data under {@code .devstack}. */
  public static DevStackConfig fromEnv(SpillwayEnv env) {
    int port = env.port(KAFKA_PORT, 0);
    return new DevStackConfig(
        configuredBootstrap(env),
        KafkaMode.EMBEDDED,
        port == 0 ? Ports.preferred(9092) : port,
        heap(env),
        configuredPg(env),
        configuredRedis(env),
        Path.of(env.string(DEVSTACK_DIR, ".devstack")).toAbsolutePath(),
        true,
        null,
        env.string(SpillwayEnv.TOPIC_PREFIX, ""));
  }

  /** The configuration of one test JVM: throw-away data, free ports, its own database. */
  public static DevStackConfig forTests(SpillwayEnv env) {
    try {
      Path dir = Files.createTempDirectory("spillway-devstack-");
      String database = "spillway_it_" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
      return new DevStackConfig(
          configuredBootstrap(env),
          env.choice(TEST_KAFKA, KafkaMode.class, KafkaMode.EMBEDDED),
          0,
          heap(env),
          configuredPg(env),
          configuredRedis(env),
          dir,
          false,
          database.toLowerCase(Locale.ROOT),
          env.string(SpillwayEnv.TOPIC_PREFIX, ""));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory for the test stack", e);
    }
  }

  private static Optional<String> configuredBootstrap(SpillwayEnv env) {
    return env.raw(SpillwayEnv.KAFKA_BOOTSTRAP)
        .map(v -> env.bootstrap(SpillwayEnv.KAFKA_BOOTSTRAP, v));
  }

  private static Optional<PgEndpoint> configuredPg(SpillwayEnv env) {
    return env.raw(SpillwayEnv.PG_URL)
        .map(
            url ->
                new PgEndpoint(
                    env.jdbcUrl(SpillwayEnv.PG_URL, url),
                    env.string(SpillwayEnv.PG_USER, SpillwayEnv.DEFAULT_PG_USER),
                    env.secret(SpillwayEnv.PG_PASSWORD, "")));
  }

  private static Optional<URI> configuredRedis(SpillwayEnv env) {
    return env.raw(SpillwayEnv.REDIS_URL).map(v -> env.redisUri(SpillwayEnv.REDIS_URL, v));
  }

  private static String heap(SpillwayEnv env) {
    String heap = env.string(KAFKA_HEAP, "768m");
    if (!heap.matches("\\d+[mMgG]")) {
      throw new ConfigException(KAFKA_HEAP, "must look like 512m or 1g, not '" + heap + "'");
    }
    return heap;
  }

  /** Where the stack looks for a PostgreSQL when none is configured. */
  static PgEndpoint defaultPg(SpillwayEnv env) {
    return new PgEndpoint(
        SpillwayEnv.DEFAULT_PG_URL,
        env.string(SpillwayEnv.PG_USER, SpillwayEnv.DEFAULT_PG_USER),
        env.secret(SpillwayEnv.PG_PASSWORD, ""));
  }
}

package io.spillway.workers;

import io.spillway.schemas.JobType;
import io.spillway.schemas.env.ConfigException;
import io.spillway.schemas.env.SpillwayEnv;
import java.net.URI;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The workers' configuration, read once from {@code SPILLWAY_*} variables.
 *
 * @param kafkaBootstrap {@code SPILLWAY_KAFKA_BOOTSTRAP}
 * @param redis {@code SPILLWAY_REDIS_URL}
 * @param pgUrl {@code SPILLWAY_PG_URL}
 * @param pgUser {@code SPILLWAY_PG_USER}
 * @param pgPassword {@code SPILLWAY_PG_PASSWORD}
 * @param topicPrefix {@code SPILLWAY_TOPIC_PREFIX}
 * @param metricsPort {@code SPILLWAY_METRICS_PORT}: /metrics, /healthz, /readyz; 0 picks a free port
 * @param types {@code SPILLWAY_WORKER_TYPES}: the job types this instance runs (default both)
 * @param consumersPerType {@code SPILLWAY_WORKER_CONSUMERS}: consumer threads per type and instance
 * @param processingThreads {@code SPILLWAY_WORKER_THREADS}: processing threads per instance; each
 *     consumer's batch is split into as many key-ordered lanes, run at once (1: on the consumer thread)
 * @param maxAttempts {@code SPILLWAY_MAX_ATTEMPTS}: deliveries before a job is dead-lettered
 * @param retryBackoff {@code SPILLWAY_RETRY_BACKOFF}: the first retry's delay; doubles per attempt, with jitter
 * @param jobTtl {@code SPILLWAY_JOB_TTL}: how long Redis keeps a job's status
 * @param cacheTtl {@code SPILLWAY_PREDICTION_CACHE_TTL}: how long Redis keeps a prediction
 * @param inferenceCpu {@code SPILLWAY_INFERENCE_CPU}: extra CPU time per model inference, to emulate heavier models
 * @param haltTrigger {@code SPILLWAY_FAULT_HALT_FILE}: fault injection for drills only — when this
 *     file appears the worker halts right after a PostgreSQL commit, before the offset commit
 */
public record WorkersConfig(
    String kafkaBootstrap,
    URI redis,
    String pgUrl,
    String pgUser,
    String pgPassword,
    String topicPrefix,
    int metricsPort,
    Set<JobType> types,
    int consumersPerType,
    int processingThreads,
    int maxAttempts,
    Duration retryBackoff,
    Duration jobTtl,
    Duration cacheTtl,
    Duration inferenceCpu,
    java.nio.file.Path haltTrigger) {

  public static final String TYPES = "SPILLWAY_WORKER_TYPES";
  public static final String CONSUMERS = "SPILLWAY_WORKER_CONSUMERS";
  public static final String THREADS = "SPILLWAY_WORKER_THREADS";
  public static final String MAX_ATTEMPTS = "SPILLWAY_MAX_ATTEMPTS";
  public static final String RETRY_BACKOFF = "SPILLWAY_RETRY_BACKOFF";
  public static final String JOB_TTL = "SPILLWAY_JOB_TTL";
  public static final String CACHE_TTL = "SPILLWAY_PREDICTION_CACHE_TTL";
  public static final String INFERENCE_CPU = "SPILLWAY_INFERENCE_CPU";
  public static final String HALT_FILE = "SPILLWAY_FAULT_HALT_FILE";

  public WorkersConfig {
    types = Set.copyOf(types);
  }

  public static WorkersConfig fromEnv(SpillwayEnv env) {
    return new WorkersConfig(
        env.bootstrap(SpillwayEnv.KAFKA_BOOTSTRAP, SpillwayEnv.DEFAULT_KAFKA_BOOTSTRAP),
        env.redisUri(SpillwayEnv.REDIS_URL, SpillwayEnv.DEFAULT_REDIS_URL),
        env.jdbcUrl(SpillwayEnv.PG_URL, SpillwayEnv.DEFAULT_PG_URL),
        env.string(SpillwayEnv.PG_USER, SpillwayEnv.DEFAULT_PG_USER),
        env.secret(SpillwayEnv.PG_PASSWORD, ""),
        env.string(SpillwayEnv.TOPIC_PREFIX, ""),
        env.port(SpillwayEnv.METRICS_PORT, 8082),
        types(env.string(TYPES, "payment,prediction")),
        env.integer(CONSUMERS, 2, 1, 64),
        env.integer(THREADS, 4, 1, 256),
        env.integer(MAX_ATTEMPTS, 5, 1, 100),
        positive(env, RETRY_BACKOFF, Duration.ofMillis(500)),
        positive(env, JOB_TTL, Duration.ofHours(24)),
        positive(env, CACHE_TTL, Duration.ofHours(1)),
        env.duration(INFERENCE_CPU, Duration.ZERO),
        env.raw(HALT_FILE).map(java.nio.file.Path::of).orElse(null));
  }

  private static Set<JobType> types(String text) {
    Set<JobType> types = EnumSet.noneOf(JobType.class);
    for (String name : text.split(",")) {
      types.add(JobType.fromWireName(name.trim().toLowerCase(Locale.ROOT))
          .orElseThrow(() -> new ConfigException(TYPES, "unknown job type '" + name.trim() + "' (payment, prediction)")));
    }
    return types;
  }

  private static Duration positive(SpillwayEnv env, String name, Duration fallback) {
    Duration d = env.duration(name, fallback);
    if (d.isNegative() || d.isZero()) {
      throw new ConfigException(name, "must be longer than zero");
    }
    return d;
  }
}

package io.spillway.streams;

import io.spillway.schemas.env.SpillwayEnv;
import io.spillway.streams.topology.AlertRules;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The streams app's configuration, read once from {@code SPILLWAY_*} variables.
 *
 * @param kafkaBootstrap {@code SPILLWAY_KAFKA_BOOTSTRAP}
 * @param topicPrefix {@code SPILLWAY_TOPIC_PREFIX}
 * @param statsPort {@code SPILLWAY_STATS_PORT}: stats API, metrics, live page; 0 picks a free port
 * @param stateDir {@code SPILLWAY_STREAMS_STATE_DIR}: where the window stores live
 * @param grace {@code SPILLWAY_STATS_GRACE}: how late an event may arrive and still count
 * @param applicationId {@code SPILLWAY_STREAMS_APP_ID}: the Kafka Streams application id
 * @param advertisedHost {@code SPILLWAY_STATS_HOST}: the host other instances reach this one's stats API at
 * @param threads {@code SPILLWAY_STREAMS_THREADS}: stream threads of this instance
 * @param alerts when alerts fire ({@code SPILLWAY_SLO_P99}, {@code SPILLWAY_SLO_WINDOWS},
 *     {@code SPILLWAY_SURGE_MULTIPLE}, {@code SPILLWAY_ERROR_RATE_THRESHOLD})
 */
public record StreamsConfig(String kafkaBootstrap, String topicPrefix, int statsPort, Path stateDir, Duration grace, String applicationId,
    String advertisedHost, int threads, AlertRules alerts) {

  public static final String STATE_DIR = "SPILLWAY_STREAMS_STATE_DIR";
  public static final String GRACE = "SPILLWAY_STATS_GRACE";
  public static final String APP_ID = "SPILLWAY_STREAMS_APP_ID";
  public static final String THREADS = "SPILLWAY_STREAMS_THREADS";

  public static StreamsConfig fromEnv(SpillwayEnv env) {
    String prefix = env.string(SpillwayEnv.TOPIC_PREFIX, "");
    return new StreamsConfig(
        env.bootstrap(SpillwayEnv.KAFKA_BOOTSTRAP, SpillwayEnv.DEFAULT_KAFKA_BOOTSTRAP),
        prefix,
        env.port(SpillwayEnv.STATS_PORT, 8081),
        Path.of(env.string(STATE_DIR, Path.of(System.getProperty("java.io.tmpdir"), "spillway-streams").toString())),
        env.duration(GRACE, Duration.ofSeconds(2)),
        env.string(APP_ID, prefix + "spillway-streams"),
        env.string("SPILLWAY_STATS_HOST", "127.0.0.1"),
        env.integer(THREADS, 2, 1, 64),
        new AlertRules(env.duration("SPILLWAY_SLO_P99", Duration.ofSeconds(2)), env.integer("SPILLWAY_SLO_WINDOWS", 3, 1, 3600),
            env.decimal("SPILLWAY_SURGE_MULTIPLE", 3.0, 1.01, 1000), 60, 1.0, env.decimal("SPILLWAY_ERROR_RATE_THRESHOLD", 0.05, 0.0001, 0.9999)));
  }
}

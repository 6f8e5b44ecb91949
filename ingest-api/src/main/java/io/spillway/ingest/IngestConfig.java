package io.spillway.ingest;

import io.spillway.schemas.env.ConfigException;
import io.spillway.schemas.env.SpillwayEnv;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ingest API's configuration, read once from {@code SPILLWAY_*} variables.
 *
 * @param kafkaBootstrap {@code SPILLWAY_KAFKA_BOOTSTRAP}
 * @param redis {@code SPILLWAY_REDIS_URL}
 * @param pgUrl {@code SPILLWAY_PG_URL}
 * @param pgUser {@code SPILLWAY_PG_USER}
 * @param pgPassword {@code SPILLWAY_PG_PASSWORD}
 * @param httpPort {@code SPILLWAY_HTTP_PORT}; 0 picks a free port
 * @param apiKeys tenant by API key, from {@code SPILLWAY_API_KEYS} ({@code tenant:key,…})
 * @param topicPrefix {@code SPILLWAY_TOPIC_PREFIX}
 * @param jobIdSecret {@code SPILLWAY_JOB_ID_SECRET}: signs job ids; replicas must share it
 * @param maxInFlight {@code SPILLWAY_MAX_IN_FLIGHT}: produces awaiting their ack before 503
 * @param produceTimeout {@code SPILLWAY_PRODUCE_TIMEOUT}: how long a submit waits for the ack
 * @param rateLimits jobs/s by tenant, from {@code SPILLWAY_RATE_LIMITS} ({@code tenant:rate,…})
 * @param defaultRateLimit {@code SPILLWAY_RATE_LIMIT_DEFAULT}: jobs/s of other tenants, 0 = unlimited
 * @param paymentReserve {@code SPILLWAY_PAYMENT_RESERVE}: the share of in-flight capacity only payments may use
 * @param httpIdleTimeout {@code SPILLWAY_HTTP_IDLE_TIMEOUT}: a connection whose client sent nothing for this long is closed
 * @param produceLinger {@code SPILLWAY_PRODUCE_LINGER}: how long the producer gathers jobs into one
 *     batch per partition before sending it (Kafka's {@code linger.ms})
 */
public record IngestConfig(
    String kafkaBootstrap,
    URI redis,
    String pgUrl,
    String pgUser,
    String pgPassword,
    int httpPort,
    Map<String, String> apiKeys,
    String topicPrefix,
    byte[] jobIdSecret,
    int maxInFlight,
    Duration produceTimeout,
    Map<String, Long> rateLimits,
    long defaultRateLimit,
    double paymentReserve,
    Duration httpIdleTimeout,
    Duration produceLinger) {

  public static final String JOB_ID_SECRET = "SPILLWAY_JOB_ID_SECRET";
  public static final String MAX_IN_FLIGHT = "SPILLWAY_MAX_IN_FLIGHT";
  public static final String PRODUCE_TIMEOUT = "SPILLWAY_PRODUCE_TIMEOUT";
  public static final String RATE_LIMITS = "SPILLWAY_RATE_LIMITS";
  public static final String RATE_LIMIT_DEFAULT = "SPILLWAY_RATE_LIMIT_DEFAULT";
  public static final String PAYMENT_RESERVE = "SPILLWAY_PAYMENT_RESERVE";
  public static final String HTTP_IDLE_TIMEOUT = "SPILLWAY_HTTP_IDLE_TIMEOUT";
  public static final String PRODUCE_LINGER = "SPILLWAY_PRODUCE_LINGER";

  public IngestConfig {
    apiKeys = Map.copyOf(apiKeys);
    rateLimits = Map.copyOf(rateLimits);
  }

  public static IngestConfig fromEnv(SpillwayEnv env) {
    String secret = env.string(JOB_ID_SECRET, "spillway-local-development-secret");
    if (secret.length() < 16) {
      throw new ConfigException(JOB_ID_SECRET, "must be at least 16 characters");
    }
    return new IngestConfig(
        env.bootstrap(SpillwayEnv.KAFKA_BOOTSTRAP, SpillwayEnv.DEFAULT_KAFKA_BOOTSTRAP),
        env.redisUri(SpillwayEnv.REDIS_URL, SpillwayEnv.DEFAULT_REDIS_URL),
        env.jdbcUrl(SpillwayEnv.PG_URL, SpillwayEnv.DEFAULT_PG_URL),
        env.string(SpillwayEnv.PG_USER, SpillwayEnv.DEFAULT_PG_USER),
        env.secret(SpillwayEnv.PG_PASSWORD, ""),
        env.port(SpillwayEnv.HTTP_PORT, 8080),
        parseKeys(env.raw(SpillwayEnv.API_KEYS).orElse("")),
        env.string(SpillwayEnv.TOPIC_PREFIX, ""),
        secret.getBytes(StandardCharsets.UTF_8),
        env.integer(MAX_IN_FLIGHT, 20_000, 1, 1_000_000),
        env.duration(PRODUCE_TIMEOUT, Duration.ofSeconds(4)),
        parseRates(env.raw(RATE_LIMITS).orElse("")),
        env.longValue(RATE_LIMIT_DEFAULT, 0, 0, 10_000_000),
        env.decimal(PAYMENT_RESERVE, 0.2, 0.0, 0.9),
        millis(env, HTTP_IDLE_TIMEOUT, Duration.ofSeconds(75), 1, Integer.MAX_VALUE, "1ms to 24 days"),
        // Kafka's own default since 4.0 (why: JobProducer)
        millis(env, PRODUCE_LINGER, Duration.ofMillis(5), 0, 1000, "0ms to 1s"));
  }

  /** A duration whose whole milliseconds lie from {@code min} to {@code max}; refused, naming {@code range}, otherwise. */
  private static Duration millis(SpillwayEnv env, String name, Duration fallback, long min, long max, String range) {
    Duration value = env.duration(name, fallback);
    if (value.toMillis() < min || value.toMillis() > max) {
      throw new ConfigException(name, "must be from " + range);
    }
    return value;
  }

  static Map<String, Long> parseRates(String text) {
    Map<String, Long> rates = new LinkedHashMap<>();
    if (text.isBlank()) {
      return rates;
    }
    for (String pair : text.split(",")) {
      String[] parts = pair.trim().split(":");
      if (parts.length != 2 || !parts[1].matches("\\d{1,9}")) {
        throw new ConfigException(RATE_LIMITS, "each entry must be tenant:jobs-per-second, not '" + pair.trim() + "'");
      }
      rates.put(parts[0], Long.parseLong(parts[1]));
    }
    return rates;
  }

  /** Parses {@code tenant:key,tenant:key}; a key may not be shared by two tenants. */
  static Map<String, String> parseKeys(String text) {
    Map<String, String> tenantByKey = new LinkedHashMap<>();
    if (text.isBlank()) {
      return tenantByKey;
    }
    for (String pair : text.split(",")) {
      String trimmed = pair.trim();
      int colon = trimmed.indexOf(':');
      if (colon < 1 || colon == trimmed.length() - 1) {
        throw new ConfigException(SpillwayEnv.API_KEYS, "each entry must be tenant:key (found an entry without one)");
      }
      String tenant = trimmed.substring(0, colon);
      String key = trimmed.substring(colon + 1);
      if (!tenant.matches("[A-Za-z0-9._-]{1,64}")) {
        throw new ConfigException(SpillwayEnv.API_KEYS, "tenant names are 1..64 of A-Z a-z 0-9 . _ -");
      }
      if (key.length() < 8) {
        throw new ConfigException(SpillwayEnv.API_KEYS, "keys must be at least 8 characters (tenant " + tenant + ")");
      }
      if (tenantByKey.putIfAbsent(key, tenant) != null) {
        throw new ConfigException(SpillwayEnv.API_KEYS, "a key is listed twice");
      }
    }
    return tenantByKey;
  }
}

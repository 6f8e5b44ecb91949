package io.spillway.schemas.env;

import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Typed access to {@code SPILLWAY_*} variables. Every accessor either returns a valid value or
 * throws a {@link ConfigException} naming the variable; defaults point at the embedded devstack.
 */
public final class SpillwayEnv {

  /** Kafka bootstrap servers, {@code host:port[,host:port]}. */
  public static final String KAFKA_BOOTSTRAP = "SPILLWAY_KAFKA_BOOTSTRAP";
  /** PostgreSQL JDBC URL. */
  public static final String PG_URL = "SPILLWAY_PG_URL";
  /** PostgreSQL user. */
  public static final String PG_USER = "SPILLWAY_PG_USER";
  /** PostgreSQL password (empty for trust auth). */
  public static final String PG_PASSWORD = "SPILLWAY_PG_PASSWORD";
  /** Redis address, {@code redis://host:port}. */
  public static final String REDIS_URL = "SPILLWAY_REDIS_URL";
  /** Port of the ingest API. */
  public static final String HTTP_PORT = "SPILLWAY_HTTP_PORT";
  /** Comma-separated {@code tenant:key} pairs. */
  public static final String API_KEYS = "SPILLWAY_API_KEYS";
  /** Prefix for every topic name, empty by default. */
  public static final String TOPIC_PREFIX = "SPILLWAY_TOPIC_PREFIX";
  /** Port of the streams app's stats API and live page. */
  public static final String STATS_PORT = "SPILLWAY_STATS_PORT";
  /** Port of the workers' metrics and health endpoint. */
  public static final String METRICS_PORT = "SPILLWAY_METRICS_PORT";

  public static final String DEFAULT_KAFKA_BOOTSTRAP = "127.0.0.1:9092";
  public static final String DEFAULT_PG_URL = "jdbc:postgresql://127.0.0.1:5432/test";
  public static final String DEFAULT_PG_USER = "postgres";
  public static final String DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

  private final Map<String, String> env;

  public SpillwayEnv(Map<String, String> env) {
    this.env = Map.copyOf(Objects.requireNonNull(env, "env"));
  }

  /** The variables of this process. */
  public static SpillwayEnv system() {
    return new SpillwayEnv(System.getenv());
  }

  /** A copy with some variables set, for tests and embedded starts. */
  public SpillwayEnv with(Map<String, String> overrides) {
    Map<String, String> merged = new LinkedHashMap<>(env);
    merged.putAll(overrides);
    return new SpillwayEnv(merged);
  }

  /** The raw value, if set and not blank. */
  public Optional<String> raw(String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
  }

  public String string(String name, String fallback) {
    return raw(name).orElse(fallback);
  }

  /** A value that may be empty but, when set, is used as is (e.g. a password). */
  public String secret(String name, String fallback) {
    String value = env.get(name);
    return value == null ? fallback : value;
  }

  public int integer(String name, int fallback, int min, int max) {
    return parsed(name, fallback, "an integer", Integer::parseInt, min, max);
  }

  public long longValue(String name, long fallback, long min, long max) {
    return parsed(name, fallback, "an integer", Long::parseLong, min, max);
  }

  public double decimal(String name, double fallback, double min, double max) {
    double value = parsed(name, fallback, "a number", Double::parseDouble, min, max);
    if (!Double.isFinite(value)) {
      throw new ConfigException(name, "must be a finite number");
    }
    return value;
  }

  public int port(String name, int fallback) {
    return integer(name, fallback, 0, 65535);
  }

  public boolean bool(String name, boolean fallback) {
    return raw(name)
        .map(
            v ->
                switch (v.toLowerCase(Locale.ROOT)) {
                  case "true", "1", "yes", "on" -> true;
                  case "false", "0", "no", "off" -> false;
                  default -> throw new ConfigException(name, "must be true or false, not '" + v + "'");
                })
        .orElse(fallback);
  }

  /** A duration as ISO-8601 ({@code PT5S}) or a number with a unit: {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}. */
  public Duration duration(String name, Duration fallback) {
    return raw(name).map(v -> parseDuration(name, v)).orElse(fallback);
  }

  public <E extends Enum<E>> E choice(String name, Class<E> type, E fallback) {
    return raw(name)
        .map(
            v -> {
              try {
                return Enum.valueOf(type, v.toUpperCase(Locale.ROOT).replace('-', '_'));
              } catch (IllegalArgumentException e) {
                throw new ConfigException(
                    name, "must be one of " + java.util.Arrays.toString(type.getEnumConstants()) + ", not '" + v + "'");
              }
            })
        .orElse(fallback);
  }

  /** A {@code redis://host:port} address. */
  public URI redisUri(String name, String fallback) {
    String value = string(name, fallback);
    try {
      URI uri = URI.create(value);
      if (!"redis".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 1) {
        throw new ConfigException(name, "must look like redis://host:port, not '" + value + "'");
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(name, "must look like redis://host:port, not '" + value + "'");
    }
  }

  /** A {@code jdbc:postgresql://…} URL. */
  public String jdbcUrl(String name, String fallback) {
    String value = string(name, fallback);
    if (!value.startsWith("jdbc:postgresql://")) {
      throw new ConfigException(name, "must be a jdbc:postgresql:// URL, not '" + value + "'");
    }
    return value;
  }

  /** Comma-separated {@code host:port} pairs. */
  public String bootstrap(String name, String fallback) {
    String value = string(name, fallback);
    for (String server : value.split(",")) {
      int colon = server.lastIndexOf(':');
      if (colon < 1 || !server.substring(colon + 1).matches("\\d{1,5}")) {
        throw new ConfigException(name, "must be host:port[,host:port…], not '" + value + "'");
      }
    }
    return value;
  }

  /** Parses a duration as {@link #duration} does; errors name {@code name}. */
  public static Duration parseDuration(String name, String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    try {
      if (v.startsWith("pt") || v.startsWith("p")) {
        return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
      }
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      }
      long amount = Long.parseLong(v.substring(0, v.length() - 1));
      return switch (v.charAt(v.length() - 1)) {
        case 's' -> Duration.ofSeconds(amount);
        case 'm' -> Duration.ofMinutes(amount);
        case 'h' -> Duration.ofHours(amount);
        case 'd' -> Duration.ofDays(amount);
        default -> throw new NumberFormatException(v);
      };
    } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
      throw new ConfigException(name, "must be a duration such as 500ms, 5s or PT1M, not '" + value + "'");
    }
  }

  private <T extends Comparable<T>> T parsed(
      String name, T fallback, String what, Function<String, T> parse, T min, T max) {
    Optional<String> raw = raw(name);
    if (raw.isEmpty()) {
      return fallback;
    }
    T value;
    try {
      value = parse.apply(raw.get());
    } catch (NumberFormatException e) {
      throw new ConfigException(name, "must be " + what + ", not '" + raw.get() + "'");
    }
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new ConfigException(name, "must be between " + min + " and " + max + ", not " + value);
    }
    return value;
  }
}

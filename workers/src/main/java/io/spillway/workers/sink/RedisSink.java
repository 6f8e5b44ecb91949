package io.spillway.workers.sink;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.spillway.schemas.Json;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;

/**
 * Redis as the workers use it: best effort. PostgreSQL is the record; when Redis is down, reads
 * miss and writes are dropped (the ingest API falls back to PostgreSQL), counted and logged at
 * DEBUG. Owns the client; close it once.
 */
public final class RedisSink implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RedisSink.class);

  private final RedisClient redis;
  private final Timer latency;
  private final Counter errors;

  public RedisSink(URI uri, MeterRegistry meters) {
    this.redis =
        RedisClient.builder()
            .hostAndPort(uri.getHost(), uri.getPort())
            .clientConfig(DefaultJedisClientConfig.builder().connectionTimeoutMillis(500).socketTimeoutMillis(2000).build())
            .build();
    this.latency = Timer.builder("spillway.worker.redis.latency").publishPercentileHistogram().register(meters);
    this.errors = Counter.builder("spillway.worker.redis.errors").register(meters);
  }

  /** The values of the keys that exist, decoded; empty when Redis is unavailable. */
  public <T> Map<String, T> getAll(List<String> keys, Class<T> type) {
    Map<String, T> found = new HashMap<>();
    if (keys.isEmpty()) {
      return found;
    }
    long start = System.nanoTime();
    try {
      List<String> values = redis.mget(keys.toArray(String[]::new));
      for (int i = 0; i < keys.size(); i++) {
        if (values.get(i) != null) {
          found.put(keys.get(i), Json.mapper().readValue(values.get(i), type));
        }
      }
    } catch (Exception e) {
      failed("read", e);
    } finally {
      latency.record(Duration.ofNanos(System.nanoTime() - start));
    }
    return found;
  }

  /** Sets every key to its UTF-8 JSON value with the TTL, in one pipeline. */
  public void setAll(Map<String, byte[]> values, Duration ttl) {
    if (values.isEmpty()) {
      return;
    }
    long start = System.nanoTime();
    try (AbstractPipeline pipeline = redis.pipelined()) {
      values.forEach((k, v) -> pipeline.setex(k.getBytes(java.nio.charset.StandardCharsets.UTF_8), ttl.toSeconds(), v));
      pipeline.sync();
    } catch (Exception e) {
      failed("write", e);
    } finally {
      latency.record(Duration.ofNanos(System.nanoTime() - start));
    }
  }

  private void failed(String what, Exception e) {
    errors.increment();
    log.debug("Redis {} failed (PostgreSQL remains the record): {}", what, e.toString());
  }

  @Override
  public void close() {
    redis.close();
  }
}

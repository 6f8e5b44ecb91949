package io.spillway.ingest.limits;

import io.spillway.schemas.JobType;
import io.spillway.schemas.Json;
import io.spillway.schemas.RedisKeys;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.SetParams;

/**
 * Remembers, for 24 hours, which request an Idempotency-Key was first used with, so that the same
 * key with a different request is refused (422). The job id itself is derived from the key, so a
 * retry yields the same job even without this record; when Redis is down the check is skipped and
 * the workers' idempotency keeps the job single. Blocking; call from a virtual thread.
 */
public final class IdempotencyRecords {

  private static final Logger log = LoggerFactory.getLogger(IdempotencyRecords.class);

  /** The verdict for a keyed request. */
  public enum Verdict {
    /** First use, or a retry of the same request. */
    PROCEED,
    /** The key was first used with a different request. */
    CONFLICT
  }

  private final RedisClient redis;
  private final Duration ttl;

  public IdempotencyRecords(RedisClient redis, Duration ttl) {
    this.redis = redis;
    this.ttl = ttl;
  }

  public Verdict check(String tenant, String key, String requestFingerprint) {
    String redisKey = RedisKeys.idempotency(tenant, sha256(key));
    try {
      String stored = redis.set(redisKey, requestFingerprint, SetParams.setParams().nx().ex(ttl.toSeconds()));
      if ("OK".equals(stored)) {
        return Verdict.PROCEED;
      }
      String first = redis.get(redisKey);
      return first == null || first.equals(requestFingerprint) ? Verdict.PROCEED : Verdict.CONFLICT;
    } catch (RuntimeException e) {
      log.debug("Idempotency record unavailable (Redis): {}", e.toString());
      return Verdict.PROCEED;
    }
  }

  /**
   * What a key's first request is remembered by: its job type and payload, in the payload's
   * canonical JSON, so a single submit and a batch item with the same key and job compare equal.
   */
  public static String fingerprint(JobType type, Object payload) {
    return sha256(type.wireName() + "\n" + Json.mapper().valueToTree(payload));
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

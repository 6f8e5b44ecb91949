package io.spillway.ingest.limits;

import io.spillway.schemas.JobType;
import io.spillway.schemas.Json;
import io.spillway.schemas.RedisKeys;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.Response;
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

  /** A key, and the fingerprint of the request it came with. */
  public record Use(String key, String requestFingerprint) {}

  public Verdict check(String tenant, String key, String requestFingerprint) {
    return checkAll(tenant, List.of(new Use(key, requestFingerprint))).getFirst();
  }

  /**
   * The verdicts of several keyed requests, in their order (of two with one key and different
   * requests, the first is remembered and the second conflicts), in two pipelined round trips.
   * When Redis is down every verdict is PROCEED.
   */
  public List<Verdict> checkAll(String tenant, List<Use> uses) {
    SetParams firstUseOnly = SetParams.setParams().nx().ex(ttl.toSeconds());
    try (Pipeline pipeline = redis.pipelined()) {
      List<String> redisKeys = uses.stream().map(u -> RedisKeys.idempotency(tenant, sha256(u.key()))).toList();
      List<Response<String>> stored = new ArrayList<>();
      for (int i = 0; i < uses.size(); i++) {
        stored.add(pipeline.set(redisKeys.get(i), uses.get(i).requestFingerprint(), firstUseOnly));
      }
      pipeline.sync();
      List<Response<String>> first = new ArrayList<>();
      for (int i = 0; i < uses.size(); i++) {
        first.add("OK".equals(stored.get(i).get()) ? null : pipeline.get(redisKeys.get(i)));
      }
      pipeline.sync();
      List<Verdict> verdicts = new ArrayList<>();
      for (int i = 0; i < uses.size(); i++) {
        String remembered = first.get(i) == null ? null : first.get(i).get();
        verdicts.add(remembered == null || remembered.equals(uses.get(i).requestFingerprint()) ? Verdict.PROCEED : Verdict.CONFLICT);
      }
      return verdicts;
    } catch (RuntimeException e) {
      log.debug("Idempotency record unavailable (Redis): {}", e.toString());
      return Collections.nCopies(uses.size(), Verdict.PROCEED);
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

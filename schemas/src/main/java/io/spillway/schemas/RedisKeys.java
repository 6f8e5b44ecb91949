package io.spillway.schemas;

/**
 * The Redis key layout the ingest API and the workers share. Redis holds nothing that PostgreSQL
 * or Kafka cannot rebuild; every key has a TTL.
 */
public final class RedisKeys {

  private RedisKeys() {}

  /** JSON of a {@link JobView}: the hot copy of a job's status and result. */
  public static String job(String jobId) {
    return "spillway:job:" + jobId;
  }

  /** JSON of a {@link PredictionResult}, keyed by {@link PredictionInput#inputHash()}. */
  public static String predictionCache(String inputHash) {
    return "spillway:pcache:" + inputHash;
  }

  /** The remembered answer to an {@code Idempotency-Key} of a tenant. */
  public static String idempotency(String tenant, String keyHash) {
    return "spillway:idem:" + tenant + ":" + keyHash;
  }

  /** A tenant's rate-limit bucket. */
  public static String rateLimit(String tenant) {
    return "spillway:rl:" + tenant;
  }
}

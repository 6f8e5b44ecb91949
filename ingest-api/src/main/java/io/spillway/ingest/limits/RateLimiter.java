package io.spillway.ingest.limits;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-tenant token buckets (per instance): each tenant may submit {@code rate} jobs a second on
 * average with bursts up to {@code burst}. A tenant without a configured rate uses the default; a
 * rate of 0 means unlimited. Lock-free per call apart from one synchronized bucket.
 */
public final class RateLimiter {

  /** The answer for one request. */
  public record Decision(boolean allowed, long limit, long remaining, long retryAfterSeconds) {}

  private final Map<String, Long> rates;
  private final long defaultRate;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  /**
   * @param rates jobs per second by tenant
   * @param defaultRate jobs per second for other tenants, 0 for unlimited
   */
  public RateLimiter(Map<String, Long> rates, long defaultRate) {
    this.rates = Map.copyOf(rates);
    this.defaultRate = defaultRate;
  }

  public long rateOf(String tenant) {
    return rates.getOrDefault(tenant, defaultRate);
  }

  /** Takes {@code cost} tokens from the tenant's bucket if it holds them. */
  public Decision acquire(String tenant, int cost, long nowNanos) {
    long rate = rateOf(tenant);
    if (rate <= 0) {
      return new Decision(true, 0, 0, 0);
    }
    Bucket bucket = buckets.computeIfAbsent(tenant, t -> new Bucket(rate, nowNanos));
    return bucket.take(cost, nowNanos);
  }

  private static final class Bucket {
    private final long rate;
    private final double capacity;
    private double tokens;
    private long updatedNanos;

    Bucket(long rate, long now) {
      this.rate = rate;
      this.capacity = rate; // one second's worth of burst
      this.tokens = capacity;
      this.updatedNanos = now;
    }

    synchronized Decision take(int cost, long now) {
      tokens = Math.min(capacity, tokens + (now - updatedNanos) / 1e9 * rate);
      updatedNanos = now;
      if (tokens >= cost) {
        tokens -= cost;
        return new Decision(true, rate, (long) tokens, 0);
      }
      long wait = (long) Math.ceil((cost - tokens) / rate);
      return new Decision(false, rate, 0, Math.max(1, wait));
    }
  }
}

package io.spillway.ingest.limits;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Per-tenant token buckets (per instance): each tenant may submit {@code rate} jobs a second on
 * average with bursts up to one second's worth. A tenant without a configured rate uses the
 * default; a rate of 0 means unlimited.
 *
 * <p>A bucket is kept as the generic cell rate algorithm keeps it: one number, the time at which it
 * will be full again, so that a take is one compare-and-set and the event loops never wait on a
 * lock for a tenant they share.
 */
public final class RateLimiter {

  /** The answer for one request. */
  public record Decision(boolean allowed, long limit, long remaining, long retryAfterSeconds) {}

  private static final Decision UNLIMITED = new Decision(true, 0, 0, 0);
  private static final long SECOND_NANOS = 1_000_000_000L;

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
      return UNLIMITED;
    }
    Bucket bucket = buckets.computeIfAbsent(tenant, t -> new Bucket(rate, nowNanos));
    return bucket.take(cost, nowNanos);
  }

  private static final class Bucket {
    private final long rate;
    /** The time one token takes to come back. */
    private final double tokenNanos;
    /** When the bucket will hold all its {@code rate} tokens again; at or before now, it does. */
    private final AtomicLong fullAt;

    Bucket(long rate, long now) {
      this.rate = rate;
      this.tokenNanos = (double) SECOND_NANOS / rate;
      this.fullAt = new AtomicLong(now);
    }

    Decision take(int cost, long now) {
      while (true) {
        long full = fullAt.get();
        // the refill time the bucket would lack after this take: over a second's (all its
        // tokens), it holds too few, and the tokens are back after the excess
        long lacking = Math.max(full, now) + Math.round(cost * tokenNanos) - now;
        if (lacking > SECOND_NANOS) {
          return new Decision(false, rate, 0, Math.ceilDiv(lacking - SECOND_NANOS, SECOND_NANOS));
        }
        if (fullAt.compareAndSet(full, now + lacking)) {
          // whole tokens left; the nanosecond rounding of a token's time must not cost one
          return new Decision(true, rate, (long) ((SECOND_NANOS - lacking) / tokenNanos + 1e-6), 0);
        }
      }
    }
  }
}

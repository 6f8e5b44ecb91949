package io.spillway.ingest.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

  private static final long SECOND = 1_000_000_000L;
  private final RateLimiter limiter = new RateLimiter(Map.of("acme", 10L), 0);

  @Test
  void aTenantMayBurstOneSecondsWorthThenWaits() {
    long now = 5 * SECOND;
    for (int i = 0; i < 10; i++) {
      RateLimiter.Decision d = limiter.acquire("acme", 1, now);
      assertThat(d.allowed()).as("job %d of the burst", i + 1).isTrue();
      assertThat(d.remaining()).isEqualTo(9 - i);
      assertThat(d.limit()).isEqualTo(10);
    }
    RateLimiter.Decision over = limiter.acquire("acme", 1, now);

    assertThat(over.allowed()).isFalse();
    assertThat(over.remaining()).isZero();
    assertThat(over.retryAfterSeconds()).isEqualTo(1);
  }

  @Test
  void tokensComeBackAtTheRate() {
    long now = 0;
    for (int i = 0; i < 10; i++) {
      limiter.acquire("acme", 1, now);
    }

    assertThat(limiter.acquire("acme", 1, now + SECOND / 20).allowed()).as("half a token back").isFalse();
    assertThat(limiter.acquire("acme", 1, now + SECOND / 10).allowed()).as("one token back").isTrue();
    assertThat(limiter.acquire("acme", 1, now + SECOND / 10).allowed()).isFalse();
    RateLimiter.Decision afterAWhile = limiter.acquire("acme", 1, now + 10 * SECOND);
    assertThat(afterAWhile.allowed()).isTrue();
    assertThat(afterAWhile.remaining()).as("never more than a second's worth").isEqualTo(9);
  }

  @Test
  void aBatchTakesOneTokenPerJobAndOneLargerThanTheBurstIsNeverAllowed() {
    RateLimiter.Decision six = limiter.acquire("acme", 6, 0);
    RateLimiter.Decision five = limiter.acquire("acme", 5, 0);
    RateLimiter.Decision four = limiter.acquire("acme", 4, 0);
    RateLimiter.Decision eleven = limiter.acquire("acme", 11, 100 * SECOND);

    assertThat(six.allowed()).isTrue();
    assertThat(six.remaining()).isEqualTo(4);
    assertThat(five.allowed()).isFalse();
    assertThat(five.retryAfterSeconds()).isEqualTo(1);
    assertThat(four.allowed()).isTrue();
    assertThat(eleven.allowed()).isFalse();
    assertThat(eleven.retryAfterSeconds()).isEqualTo(1);
  }

  @Test
  void aRetryAfterCountsTheWholeSecondsUntilTheTokensAreBack() {
    RateLimiter slow = new RateLimiter(Map.of("acme", 1L), 0);
    slow.acquire("acme", 1, 0);

    assertThat(slow.acquire("acme", 1, SECOND / 2).retryAfterSeconds()).isEqualTo(1);
    assertThat(slow.acquire("acme", 1, SECOND).allowed()).isTrue();
  }

  @Test
  void theRemainingTokensAreWholeTokensAlsoWhenATokenIsNoWholeNumberOfNanoseconds() {
    RateLimiter thirds = new RateLimiter(Map.of("acme", 3L), 0);

    assertThat(thirds.acquire("acme", 1, 0).remaining()).isEqualTo(2);
    assertThat(thirds.acquire("acme", 1, 0).remaining()).isEqualTo(1);
    assertThat(thirds.acquire("acme", 1, 0).remaining()).isEqualTo(0);
    assertThat(thirds.acquire("acme", 1, 0).allowed()).isFalse();
  }

  @Test
  void unlistedTenantsGetTheDefaultAndADefaultOf0IsUnlimited() {
    RateLimiter withDefault = new RateLimiter(Map.of(), 2);

    assertThat(withDefault.acquire("other", 1, 0).allowed()).isTrue();
    assertThat(withDefault.acquire("other", 1, 0).allowed()).isTrue();
    assertThat(withDefault.acquire("other", 1, 0).allowed()).isFalse();
    assertThat(IntStream.range(0, 10_000).allMatch(i -> limiter.acquire("unlisted", 1, 0).allowed())).isTrue();
    assertThat(limiter.acquire("unlisted", 1, 0).limit()).as("no RateLimit headers for an unlimited tenant").isZero();
  }

  @Test
  void threadsRacingForOneBucketTakeExactlyItsTokens() throws Exception {
    RateLimiter shared = new RateLimiter(Map.of("acme", 1000L), 0);
    ConcurrentLinkedQueue<Boolean> outcomes = new ConcurrentLinkedQueue<>();
    Thread[] threads = new Thread[4];
    for (int t = 0; t < threads.length; t++) {
      threads[t] = Thread.ofPlatform().start(() -> {
        for (int i = 0; i < 500; i++) {
          outcomes.add(shared.acquire("acme", 1, 0).allowed());
        }
      });
    }
    for (Thread thread : threads) {
      thread.join();
    }

    assertThat(outcomes.stream().filter(allowed -> allowed)).as("a second's worth at one instant").hasSize(1000);
  }
}

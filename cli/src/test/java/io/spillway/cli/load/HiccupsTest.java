package io.spillway.cli.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class HiccupsTest {

  @Test
  void aSleepThatOverrunsIsRecordedByHowMuchItOverran() throws InterruptedException {
    AtomicInteger sleeps = new AtomicInteger();
    CountDownLatch pastTheStall = new CountDownLatch(1);
    // the 5th sleep is held 300 ms: what a stop-the-world pause or a host without CPU does to it
    Hiccups hiccups = new Hiccups(nanos -> {
      int n = sleeps.incrementAndGet();
      LockSupport.parkNanos(n == 5 ? nanos + TimeUnit.MILLISECONDS.toNanos(300) : nanos);
      if (n == 20) {
        pastTheStall.countDown();
      }
    });
    assertThat(pastTheStall.await(10, TimeUnit.SECONDS)).isTrue();

    Histogram stalls = hiccups.stop();

    assertThat(stalls.getTotalCount()).isGreaterThanOrEqualTo(20);
    assertThat(stalls.getMaxValue()).as("µs late").isBetween(299_000L, 5_000_000L);
    assertThat(stalls.getValueAtPercentile(50)).as("the other sleeps, µs late").isLessThan(100_000L);
  }

  @Test
  void stoppingEndsTheSleeper() {
    AtomicInteger sleeps = new AtomicInteger();
    Hiccups hiccups = new Hiccups(nanos -> {
      sleeps.incrementAndGet();
      LockSupport.parkNanos(nanos);
    });

    hiccups.stop();
    int afterStop = sleeps.get();
    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));

    assertThat(sleeps.get()).isEqualTo(afterStop);
  }
}

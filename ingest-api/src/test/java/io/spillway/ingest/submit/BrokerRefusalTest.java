package io.spillway.ingest.submit;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The refusal's state machine, sampled by hand with a fake retry count and acknowledgement clock. */
class BrokerRefusalTest {

  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  private final AtomicLong retries = new AtomicLong();
  private final AtomicLong lastAck = new AtomicLong(1_000 * MS);
  private final AtomicInteger refusals = new AtomicInteger();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final BrokerRefusal refusal = new BrokerRefusal(retries::get, lastAck::get, meters, refusals::incrementAndGet);

  @Test
  void retriesWithNothingAcknowledgedForTheQuietTimeRefuseAndAnswerTheWaitingJobsOnce() {
    refusal.sample(1_000 * MS);
    retries.addAndGet(3);
    refusal.sample(1_000 * MS + BrokerRefusal.QUIET_MILLIS * MS);

    assertThat(refusal.refusing()).isTrue();
    assertThat(refusals).hasValue(1);
    assertThat(meters.get("spillway.ingest.kafka.refusing").gauge().value()).isEqualTo(1.0);

    retries.addAndGet(3);
    refusal.sample(1_000 * MS + 2 * BrokerRefusal.QUIET_MILLIS * MS);
    assertThat(refusals).as("one refusal, however long the retries go on").hasValue(1);
  }

  @Test
  void retriesSeenWhileAcknowledgementsWereFreshRefuseOnceTheSilenceAfterThemReachesTheQuietTime() {
    // a broker in controlled shutdown: every partition answers "not leader" within a few ms, just
    // after the last acknowledgements; the producer then waits for metadata and retries no more
    refusal.sample(1_000 * MS);
    lastAck.set(1_002 * MS);
    retries.addAndGet(12);
    refusal.sample(1_003 * MS);
    refusal.sample(1_008 * MS);
    assertThat(refusal.refusing()).as("the acknowledgements are still fresh").isFalse();

    refusal.sample((1_002 + BrokerRefusal.QUIET_MILLIS) * MS);

    assertThat(refusal.refusing()).isTrue();
    assertThat(refusals).hasValue(1);
  }

  @Test
  void retriesFollowedByAnAcknowledgementAreNoRefusalWhateverSilenceFollows() {
    refusal.sample(1_000 * MS);
    retries.incrementAndGet();
    refusal.sample(1_001 * MS);
    lastAck.set(1_004 * MS); // the retried batch went through
    refusal.sample(1_005 * MS);

    refusal.sample(5_000 * MS); // then idle

    assertThat(refusal.refusing()).isFalse();
  }

  @Test
  void retriesWhileOtherJobsAreAcknowledgedAreNoRefusal() {
    refusal.sample(1_000 * MS);
    // a partition's leader moved: its batches are retried while the other partitions' are acknowledged
    for (long t = 1_005; t < 1_100; t += 5) {
      retries.incrementAndGet();
      lastAck.set((t - 2) * MS);
      refusal.sample(t * MS);
    }
    assertThat(refusal.refusing()).isFalse();
    assertThat(refusals).hasValue(0);
  }

  @Test
  void nothingAcknowledgedWithoutRetriesIsNoRefusal() {
    refusal.sample(1_000 * MS);
    refusal.sample(5_000 * MS); // idle, or a broker that is slow to answer: the produce timeout's case

    assertThat(refusal.refusing()).isFalse();
  }

  @Test
  void anAcknowledgementEndsTheRefusal() {
    refuseAt(2_000);

    lastAck.set(2_050 * MS);
    refusal.sample(2_055 * MS);

    assertThat(refusal.refusing()).isFalse();
    assertThat(meters.get("spillway.ingest.kafka.refusing").gauge().value()).isEqualTo(0.0);
  }

  @Test
  void withoutAnAcknowledgementJobsAreTriedAgainAfterTheHoldTimeAndRefusedAgainIfStillRefused() {
    refuseAt(2_000);
    refusal.sample((2_000 + BrokerRefusal.HOLD_MILLIS - 5) * MS);
    assertThat(refusal.refusing()).isTrue();

    refusal.sample((2_000 + BrokerRefusal.HOLD_MILLIS) * MS);
    assertThat(refusal.refusing()).as("tried again").isFalse();
    refusal.sample((2_002 + BrokerRefusal.HOLD_MILLIS) * MS);
    assertThat(refusal.refusing()).as("the earlier retries do not refuse the new tries").isFalse();

    retries.incrementAndGet();
    refusal.sample((2_005 + BrokerRefusal.HOLD_MILLIS) * MS);
    assertThat(refusal.refusing()).isTrue();
    assertThat(refusals).hasValue(2);
  }

  private void refuseAt(long millis) {
    refusal.sample((millis - 5) * MS);
    retries.incrementAndGet();
    refusal.sample(millis * MS);
    assertThat(refusal.refusing()).isTrue();
  }
}

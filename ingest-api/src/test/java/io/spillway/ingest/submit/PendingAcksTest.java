package io.spillway.ingest.submit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.errors.NetworkException;
import org.junit.jupiter.api.Test;

/** The sweep that answers overdue produces, driven with made-up send times. */
class PendingAcksTest {

  private static final long MS = 1_000_000;
  private final PendingAcks acks = new PendingAcks(Duration.ofMillis(100));

  @Test
  void aProduceOlderThanTheTimeoutFailsAsOverdueAndAYoungerOneWaits() {
    PendingAcks.Ack old = acks.add(0);
    PendingAcks.Ack young = acks.add(50 * MS);

    assertThat(acks.expire(120 * MS)).isEqualTo(1);

    assertThat(old).isCompletedExceptionally();
    assertThat(JobProducer.isOverdue(failure(old))).isTrue();
    assertThat(young).isNotDone();
    assertThat(acks.expire(150 * MS)).as("the younger one's deadline").isEqualTo(1);
    assertThat(JobProducer.isOverdue(failure(young))).isTrue();
  }

  @Test
  void aProduceAcknowledgedInTimeIsNeverFailed() {
    PendingAcks.Ack acked = acks.add(0);
    acked.complete(null);

    assertThat(acks.expire(500 * MS)).isZero();
    assertThat(acked).isCompleted().isNotCompletedExceptionally();
  }

  @Test
  void anAcknowledgementOutOfOrderDoesNotHideAnOverdueProduceBehindIt() {
    PendingAcks.Ack first = acks.add(0);
    PendingAcks.Ack second = acks.add(10 * MS);
    PendingAcks.Ack third = acks.add(20 * MS);
    first.complete(null);

    assertThat(acks.expire(115 * MS)).isEqualTo(1);

    assertThat(second).isCompletedExceptionally();
    assertThat(third).isNotDone();
  }

  @Test
  void aLostConnectionFailsEveryAwaitedProduceAtOnceAndOnlyThose() {
    PendingAcks.Ack acked = acks.add(0);
    acked.complete(null);
    PendingAcks.Ack a = acks.add(1 * MS);
    PendingAcks.Ack b = acks.add(2 * MS);

    assertThat(acks.failAll(new NetworkException("lost"))).isEqualTo(2);

    assertThat(failure(a)).isInstanceOf(NetworkException.class);
    assertThat(failure(b)).isInstanceOf(NetworkException.class);
    assertThat(acks.expire(Long.MAX_VALUE / 2)).as("nothing left to time out").isZero();
  }

  private static Throwable failure(PendingAcks.Ack ack) {
    try {
      ack.join();
      throw new AssertionError("the produce did not fail");
    } catch (CompletionException e) {
      return e.getCause();
    }
  }
}

package io.spillway.ingest.submit;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The link's state machine, sampled by hand with a fake connection count. */
class BrokerLinkTest {

  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger losses = new AtomicInteger();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final BrokerLink link = new BrokerLink(connections::get, meters, losses::incrementAndGet);

  private static final int HOLD_SAMPLES = (int) (BrokerLink.HOLD_MILLIS / BrokerLink.SAMPLE_MILLIS);

  @Test
  void aConnectionCountsOnlyOnceItHeldForTheHoldTime() {
    connections.set(1);
    sample(HOLD_SAMPLES - 1);
    assertThat(link.connected()).isFalse();

    sample(1);
    assertThat(link.connected()).isTrue();
    assertThat(meters.get("spillway.ingest.kafka.connected").gauge().value()).isEqualTo(1.0);
  }

  @Test
  void theFirstSampleWithoutAConnectionRefusesAndFailsTheWaitingJobsOnce() {
    connections.set(1);
    sample(HOLD_SAMPLES);

    connections.set(0);
    sample(1);
    assertThat(link.connected()).isFalse();
    assertThat(losses).hasValue(1);

    sample(10);
    assertThat(losses).as("one loss, however long it lasts").hasValue(1);
    assertThat(meters.get("spillway.ingest.kafka.connected").gauge().value()).isEqualTo(0.0);
  }

  @Test
  void aConnectionThatFlapsDuringARestartIsNotTrusted() {
    connections.set(1);
    sample(HOLD_SAMPLES);
    connections.set(0);
    sample(1);

    for (int i = 0; i < 20; i++) {
      connections.set(1);
      sample(HOLD_SAMPLES / 2);
      connections.set(0);
      sample(1);
    }
    assertThat(link.connected()).isFalse();
    assertThat(losses).hasValue(1);
  }

  private void sample(int times) {
    for (int i = 0; i < times; i++) {
      link.sample();
    }
  }
}

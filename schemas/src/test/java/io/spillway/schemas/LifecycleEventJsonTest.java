package io.spillway.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LifecycleEventJsonTest {

  private static final Instant T = Instant.parse("2026-11-27T09:00:00.123Z");

  @Test
  void itsHandWrittenJsonIsExactlyWhatTheRecordsBeanSerialisationWrites() throws Exception {
    List<LifecycleEvent> events = List.of(
        new LifecycleEvent("j-1", "acme", JobType.PAYMENT, JobStatus.RUNNING, 1, T, T.plusMillis(3), T.plusMillis(40), null, false, null),
        new LifecycleEvent("j-2", "acme", JobType.PREDICTION, JobStatus.SUCCEEDED, 2, T, T.plusNanos(1500), T.plusSeconds(1), T.plusSeconds(2), true, null),
        new LifecycleEvent("j-\"3\"\n", "t\u00e9nant", JobType.PAYMENT, JobStatus.DEAD_LETTERED, 5, T, null, null, T.plusSeconds(9), false, "TRANSIENT_40001"));

    for (LifecycleEvent e : events) {
      String fast = new String(Json.bytes(e), java.nio.charset.StandardCharsets.UTF_8);

      assertThat(fast).as("JSON of %s", e.jobId()).isEqualTo(BeanJson.MAPPER.writeValueAsString(e));
      assertThat(Json.mapper().readValue(fast, LifecycleEvent.class)).isEqualTo(e);
    }
  }
}

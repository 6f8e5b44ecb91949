package io.spillway.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.schemas.JobStatus;
import io.spillway.schemas.JobType;
import io.spillway.schemas.LifecycleEvent;
import io.spillway.schemas.WindowStats;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WindowAggregateTest {

  private static final Instant T0 = Instant.parse("2026-11-27T09:00:00Z");

  static LifecycleEvent event(JobStatus status, long waitMs, long processMs, long e2eMs) {
    Instant completed = T0.plusMillis(e2eMs);
    Instant started = completed.minusMillis(processMs);
    Instant enqueued = started.minusMillis(waitMs);
    return new LifecycleEvent("j", "t", JobType.PAYMENT, status, 1, T0, enqueued, started, completed, false, null);
  }

  @Test
  void anAggregateSurvivesItsStoreEncoding() {
    WindowAggregate agg = new WindowAggregate();
    for (int i = 1; i <= 1000; i++) {
      agg.add(event(i % 10 == 0 ? JobStatus.FAILED : JobStatus.SUCCEEDED, i % 7, i % 50, i));
    }

    WindowAggregate back = WindowAggregate.decode(agg.encode());

    WindowStats before = agg.toStats(JobType.PAYMENT, "1s", T0, T0.plusSeconds(1));
    WindowStats after = back.toStats(JobType.PAYMENT, "1s", T0, T0.plusSeconds(1));
    assertThat(after).isEqualTo(before);
    assertThat(after.count()).isEqualTo(1000);
    assertThat(after.failed()).isEqualTo(100);
  }

  @Test
  void percentilesAreWithinOnePercentOfTheExactValues() {
    WindowAggregate agg = new WindowAggregate();
    for (int i = 1; i <= 10_000; i++) {
      agg.add(event(JobStatus.SUCCEEDED, 0, 0, i)); // end to end uniformly 1..10000 ms
    }

    WindowStats.Latency e2e = agg.toStats(JobType.PAYMENT, "1s", T0, T0.plusSeconds(1)).endToEnd();

    assertThat(e2e.p50()).isCloseTo(5000, org.assertj.core.data.Percentage.withPercentage(1));
    assertThat(e2e.p99()).isCloseTo(9900, org.assertj.core.data.Percentage.withPercentage(1));
    assertThat(e2e.p999()).isCloseTo(9990, org.assertj.core.data.Percentage.withPercentage(1));
    assertThat(e2e.max()).isCloseTo(10000, org.assertj.core.data.Percentage.withPercentage(1));
  }

  @Test
  void mergingPartialsGivesExactlyWhatAggregatingEveryEventGives() {
    WindowAggregate all = new WindowAggregate();
    WindowAggregate[] parts = {new WindowAggregate(), new WindowAggregate(), new WindowAggregate()};
    for (int i = 1; i <= 3000; i++) {
      LifecycleEvent e = event(i % 17 == 0 ? JobStatus.DEAD_LETTERED : JobStatus.SUCCEEDED, i % 11, i % 97, i * 3L);
      all.add(e);
      parts[i % 3].add(e);
    }

    WindowAggregate merged = new WindowAggregate().merge(parts[0].recorded()).merge(WindowAggregate.decode(parts[1].encode()).recorded()).merge(parts[2].recorded());

    assertThat(merged.toStats(JobType.PAYMENT, "1m", T0, T0.plusSeconds(60))).isEqualTo(all.toStats(JobType.PAYMENT, "1m", T0, T0.plusSeconds(60)));
  }

  @Test
  void mergingTheRecordedValuesOfPartialsAlsoAfterTheirWireFormGivesExactlyWhatAggregatingEveryEventGives() {
    WindowAggregate all = new WindowAggregate();
    WindowAggregate[] parts = {new WindowAggregate(), new WindowAggregate(), new WindowAggregate()};
    for (int i = 1; i <= 5000; i++) {
      LifecycleEvent e = event(i % 13 == 0 ? JobStatus.FAILED : JobStatus.SUCCEEDED, i % 7, (i * 31) % 2000, i * 977L % 250_000);
      all.add(e);
      parts[i % 3].add(e);
    }

    Partial onTheWire = Partial.decode(Partial.of(1, 0, parts[1]).encode());
    WindowAggregate merged = new WindowAggregate().merge(parts[0].recorded()).merge(onTheWire.recorded()).merge(WindowAggregate.decode(parts[2].encode()).recorded());

    assertThat(merged.toStats(JobType.PAYMENT, "1m", T0, T0.plusSeconds(60))).isEqualTo(all.toStats(JobType.PAYMENT, "1m", T0, T0.plusSeconds(60)));
    for (double p = 0.5; p < 100; p += 0.5) {
      assertThat(merged.endToEnd.getValueAtPercentile(p)).as("end-to-end at percentile %s", p).isEqualTo(all.endToEnd.getValueAtPercentile(p));
      assertThat(merged.processing.getValueAtPercentile(p)).as("processing at percentile %s", p).isEqualTo(all.processing.getValueAtPercentile(p));
    }
    assertThat(merged.endToEnd.getMaxValue()).isEqualTo(all.endToEnd.getMaxValue());
    assertThat(merged.queueWait.getTotalCount()).isEqualTo(all.queueWait.getTotalCount());
  }
}

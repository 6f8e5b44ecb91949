package io.spillway.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.schemas.JobStatus;
import io.spillway.schemas.JobType;
import io.spillway.schemas.JsonSerde;
import io.spillway.schemas.LifecycleEvent;
import io.spillway.schemas.PipelineAlert;
import io.spillway.schemas.Topics;
import io.spillway.schemas.WindowStats;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StatsTopologyTest {

  private static final Instant T0 = Instant.parse("2026-11-27T09:00:00Z");
  private static final AlertRules RULES = new AlertRules(Duration.ofMillis(500), 3, 3.0, 10, 1.0, 0.2);

  private final Topics topics = Topics.defaults();
  private TopologyTestDriver driver;
  private TestInputTopic<String, LifecycleEvent> events;
  private TestOutputTopic<String, WindowStats> stats;
  private TestOutputTopic<String, PipelineAlert> alerts;
  private long late;

  @BeforeEach
  void start() throws Exception {
    start(1); // the driver feeds every topic through one partition
  }

  private void start(int eventPartitions) throws Exception {
    if (driver != null) {
      driver.close();
    }
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "stats-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("stats-test").toString());
    driver = new TopologyTestDriver(StatsTopology.build(topics, eventPartitions, Duration.ofSeconds(2), RULES, s -> {}, n -> late += n), props);
    events = driver.createInputTopic(topics.events().name(), Serdes.String().serializer(), topics.events().valueSerde().serializer());
    stats = driver.createOutputTopic(topics.stats(), Serdes.String().deserializer(), new JsonSerde<>(WindowStats.class).deserializer());
    alerts = driver.createOutputTopic(topics.alerts(), Serdes.String().deserializer(), new JsonSerde<>(PipelineAlert.class).deserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  private void complete(JobType type, JobStatus status, long completedAtMs, long e2eMs) {
    Instant completed = T0.plusMillis(completedAtMs);
    LifecycleEvent e = new LifecycleEvent(UUID.randomUUID().toString(), "t", type, status, 1, completed.minusMillis(e2eMs),
        completed.minusMillis(e2eMs / 2), completed.minusMillis(e2eMs / 4), completed, false, null);
    events.pipeInput(e.jobId(), e, completed);
    driver.advanceWallClockTime(Sampler.FORWARD_EVERY); // the partials go on to the windows
  }

  private List<WindowStats> closed1s() {
    return stats.readValuesToList().stream().filter(s -> s.window().equals("1s")).toList();
  }

  @Test
  void eventsFallIntoTheirSecondAndAWindowIsWrittenOnceItCloses() {
    complete(JobType.PAYMENT, JobStatus.SUCCEEDED, 200, 10);
    complete(JobType.PAYMENT, JobStatus.FAILED, 999, 10);
    complete(JobType.PAYMENT, JobStatus.SUCCEEDED, 1000, 10);
    assertThat(closed1s()).as("nothing closes before the grace period passes").isEmpty();

    complete(JobType.PAYMENT, JobStatus.SUCCEEDED, 3100, 10); // stream time passes 1 s + 2 s grace

    List<WindowStats> closed = closed1s();
    assertThat(closed).hasSize(1);
    assertThat(closed.getFirst().windowStart()).isEqualTo(T0);
    assertThat(closed.getFirst().count()).isEqualTo(2);
    assertThat(closed.getFirst().failed()).isEqualTo(1);
    assertThat(closed.getFirst().errorRate()).isEqualTo(0.5);
  }

  @Test
  void aLateEventWithinTheGraceStillCountsAndOneAfterItDoesNot() {
    complete(JobType.PREDICTION, JobStatus.SUCCEEDED, 100, 10);
    complete(JobType.PREDICTION, JobStatus.SUCCEEDED, 2500, 10);
    complete(JobType.PREDICTION, JobStatus.SUCCEEDED, 400, 10); // late, within grace
    complete(JobType.PREDICTION, JobStatus.SUCCEEDED, 3500, 10); // closes [0,1)
    complete(JobType.PREDICTION, JobStatus.SUCCEEDED, 600, 10); // too late: dropped

    complete(JobType.PREDICTION, JobStatus.SUCCEEDED, 9000, 10);

    WindowStats first = closed1s().stream().filter(s -> s.windowStart().equals(T0)).findFirst().orElseThrow();
    assertThat(first.count()).isEqualTo(2);
    assertThat(late).as("the event too late for its 1 s window").isEqualTo(1);
  }

  @Test
  void aMinuteWindowHopsEveryTenSecondsSoEachEventCountsInSixOfThem() {
    complete(JobType.PAYMENT, JobStatus.SUCCEEDED, 5_000, 10);   // in the windows starting T0-50s .. T0
    complete(JobType.PAYMENT, JobStatus.SUCCEEDED, 15_000, 10);  // T0-40s .. T0+10s
    complete(JobType.PAYMENT, JobStatus.SUCCEEDED, 200_000, 10); // closes every window up to T0+130s

    List<WindowStats> minutes = stats.readValuesToList().stream().filter(s -> s.window().equals("1m")).toList();
    assertThat(minutes).allSatisfy(w -> assertThat(Duration.between(w.windowStart(), w.windowEnd())).isEqualTo(Duration.ofMinutes(1)));
    assertThat(minutes).extracting(w -> Duration.between(T0, w.windowStart()).toSeconds(), WindowStats::count).containsExactly(
        org.assertj.core.groups.Tuple.tuple(-50L, 1L), org.assertj.core.groups.Tuple.tuple(-40L, 2L), org.assertj.core.groups.Tuple.tuple(-30L, 2L),
        org.assertj.core.groups.Tuple.tuple(-20L, 2L), org.assertj.core.groups.Tuple.tuple(-10L, 2L), org.assertj.core.groups.Tuple.tuple(0L, 2L),
        org.assertj.core.groups.Tuple.tuple(10L, 1L));
    assertThat(minutes.get(1).throughputPerSecond()).isCloseTo(2 / 60.0, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void aPartitionRacingAheadThroughABacklogDoesNotCloseWindowsAnotherStillFills() throws Exception {
    start(2); // two partitions of jobs.events, played by samples written straight to the repartition topic
    TestInputTopic<String, Partial> partials = driver.createInputTopic("stats-test-by-type-repartition", Serdes.String().serializer(), Partial.SERDE.serializer());
    partial(partials, 0, 10_000, 1);
    heartbeat(partials, 0, 10_000);
    partial(partials, 1, 0, 3); // partition 1 is ten seconds behind partition 0
    heartbeat(partials, 1, 900);
    assertThat(closed1s()).as("partition 1 has not passed the first window yet").isEmpty();

    heartbeat(partials, 1, 12_000); // now both have passed it

    WindowStats first = closed1s().stream().filter(s -> s.windowStart().equals(T0)).findFirst().orElseThrow();
    assertThat(first.count()).isEqualTo(3);
    assertThat(late).isZero();
  }

  private static void partial(TestInputTopic<String, Partial> partials, int partition, long secondMs, int events) {
    WindowAggregate agg = new WindowAggregate();
    for (int i = 0; i < events; i++) {
      agg.add(WindowAggregateTest.event(JobStatus.SUCCEEDED, 1, 1, 5));
    }
    long t = T0.toEpochMilli() + secondMs;
    partials.pipeInput("payment", Partial.of(partition, t, agg), t);
  }

  private static void heartbeat(TestInputTopic<String, Partial> partials, int partition, long atMs) {
    long t = T0.toEpochMilli() + atMs;
    partials.pipeInput("payment", Partial.heartbeat(partition, t, false), t);
  }

  @Test
  void whenTrafficStopsTheLastWindowsCloseOnceThePartitionsTurnIdle() {
    complete(JobType.PAYMENT, JobStatus.SUCCEEDED, 100, 10);
    complete(JobType.PAYMENT, JobStatus.SUCCEEDED, 200, 10);
    List<WindowStats> closed = new java.util.ArrayList<>();
    for (int second = 0; second < 8 && closed.isEmpty(); second++) {
      driver.advanceWallClockTime(Duration.ofSeconds(1));
      closed.addAll(stats.readValuesToList());
    }
    assertThat(closed).filteredOn(s -> s.window().equals("1s") && s.windowStart().equals(T0)).extracting(WindowStats::count).containsExactly(2L);
  }

  @Test
  void jobTypesAreAggregatedApart() {
    complete(JobType.PAYMENT, JobStatus.SUCCEEDED, 100, 10);
    complete(JobType.PREDICTION, JobStatus.SUCCEEDED, 200, 10);
    complete(JobType.PREDICTION, JobStatus.SUCCEEDED, 300, 10);
    complete(JobType.PAYMENT, JobStatus.SUCCEEDED, 5000, 10);
    complete(JobType.PREDICTION, JobStatus.SUCCEEDED, 5000, 10);

    List<WindowStats> closed = closed1s().stream().filter(s -> s.windowStart().equals(T0)).toList();
    assertThat(closed).extracting(WindowStats::type, WindowStats::count)
        .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(JobType.PAYMENT, 1L), org.assertj.core.groups.Tuple.tuple(JobType.PREDICTION, 2L));
  }

  @Test
  void percentilesMatchTheExactValuesWithinOnePercent() {
    for (int i = 1; i <= 1000; i++) {
      complete(JobType.PAYMENT, JobStatus.SUCCEEDED, i % 1000, i); // e2e 1..1000 ms
    }
    complete(JobType.PAYMENT, JobStatus.SUCCEEDED, 4000, 1);

    WindowStats w = closed1s().getFirst();
    assertThat(w.endToEnd().p50()).isCloseTo(500, org.assertj.core.data.Percentage.withPercentage(1));
    assertThat(w.endToEnd().p99()).isCloseTo(990, org.assertj.core.data.Percentage.withPercentage(1));
    assertThat(w.endToEnd().max()).isCloseTo(1000, org.assertj.core.data.Percentage.withPercentage(1));
  }

  @Test
  void anSloBreachFiresAfterKConsecutiveWindowsAndResolvesWhenItClears() {
    for (int second = 0; second < 4; second++) {
      complete(JobType.PREDICTION, JobStatus.SUCCEEDED, second * 1000L + 100, 900); // p99 900 ms > 500 ms SLO
    }
    complete(JobType.PREDICTION, JobStatus.SUCCEEDED, 4100, 50); // back within the SLO
    complete(JobType.PREDICTION, JobStatus.SUCCEEDED, 9000, 50);

    List<PipelineAlert> slo = alerts.readValuesToList().stream().filter(a -> a.kind() == PipelineAlert.Kind.SLO_BREACH).toList();
    assertThat(slo).extracting(PipelineAlert::state).containsExactly(PipelineAlert.State.FIRING, PipelineAlert.State.RESOLVED);
    assertThat(slo.getFirst().at()).isEqualTo(T0.plusSeconds(3)); // the third breaching window
    assertThat(slo.getFirst().value()).isGreaterThan(500);
  }

  @Test
  void aSurgeOverTheTrailingBaselineFiresAndResolves() {
    long t = 0;
    for (int second = 0; second < 12; second++, t += 1000) {
      for (int i = 0; i < 2; i++) {
        complete(JobType.PAYMENT, JobStatus.SUCCEEDED, t + 100 + i, 10); // 2 jobs/s baseline
      }
    }
    for (int i = 0; i < 20; i++) {
      complete(JobType.PAYMENT, JobStatus.SUCCEEDED, t + 100 + i, 10); // 20 jobs/s: ten times the baseline
    }
    t += 1000;
    complete(JobType.PAYMENT, JobStatus.SUCCEEDED, t + 100, 10);
    complete(JobType.PAYMENT, JobStatus.SUCCEEDED, t + 9000, 10);

    List<PipelineAlert> surge = alerts.readValuesToList().stream().filter(a -> a.kind() == PipelineAlert.Kind.SURGE).toList();
    assertThat(surge).extracting(PipelineAlert::state).containsExactly(PipelineAlert.State.FIRING, PipelineAlert.State.RESOLVED);
  }

  @Test
  void anErrorRateBreachFiresAndResolves() {
    complete(JobType.PAYMENT, JobStatus.FAILED, 100, 10);
    complete(JobType.PAYMENT, JobStatus.SUCCEEDED, 200, 10);
    complete(JobType.PAYMENT, JobStatus.SUCCEEDED, 1100, 10);
    complete(JobType.PAYMENT, JobStatus.SUCCEEDED, 9000, 10);

    List<PipelineAlert> errors = alerts.readValuesToList().stream().filter(a -> a.kind() == PipelineAlert.Kind.ERROR_RATE).toList();
    assertThat(errors).extracting(PipelineAlert::state).containsExactly(PipelineAlert.State.FIRING, PipelineAlert.State.RESOLVED);
  }
}

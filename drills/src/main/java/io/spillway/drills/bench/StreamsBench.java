package io.spillway.drills.bench;

import io.spillway.drills.infra.ServiceProcess;
import io.spillway.schemas.JobStatus;
import io.spillway.schemas.JobType;
import io.spillway.schemas.JsonSerde;
import io.spillway.schemas.LifecycleEvent;
import io.spillway.schemas.Topic;
import io.spillway.schemas.Topics;
import io.spillway.schemas.WindowStats;
import io.spillway.schemas.env.SpillwayEnv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The streams benchmark ({@code scripts/bench-streams.sh}): preloads {@code jobs.events} with
 * lifecycle events, measures a plain consumer reading them all (the baseline), then starts the
 * streams app (exactly_once_v2) from its jar and measures how fast its consumer group's committed
 * offsets reach the end. Arguments: events streamsJar resultsFile.
 */
public final class StreamsBench {

  private StreamsBench() {}

  public static void main(String[] args) throws Exception {
    int events = Integer.parseInt(args[0]);
    Path jar = Path.of(args[1]);
    Path results = Path.of(args[2]);
    SpillwayEnv env = SpillwayEnv.system();
    String bootstrap = env.bootstrap(SpillwayEnv.KAFKA_BOOTSTRAP, SpillwayEnv.DEFAULT_KAFKA_BOOTSTRAP);
    Topics topics = Topics.withPrefix(env.string(SpillwayEnv.TOPIC_PREFIX, ""));
    Topic<String, LifecycleEvent> topic = topics.events();

    Map<String, List<Integer>> exact = new HashMap<>();
    preload(bootstrap, topic, events, exact);
    double baseline = plainConsumer(bootstrap, topic.name(), events);
    System.out.printf("baseline: plain consumer %,.0f events/s%n", baseline);

    String appId = "bench-streams-" + System.currentTimeMillis();
    Map<String, String> appEnv = new HashMap<>(System.getenv());
    appEnv.put("SPILLWAY_STREAMS_APP_ID", appId);
    appEnv.put(SpillwayEnv.STATS_PORT, "0");
    Path scratch = ScratchDir.create("bench-streams", "the app's state and logs");
    appEnv.put("SPILLWAY_STREAMS_STATE_DIR", scratch.resolve("state").toString());
    long start = System.nanoTime();
    double seconds;
    double steady;
    Accuracy accuracy;
    try (ServiceProcess app = new ServiceProcess("bench-streams-app", jar, appEnv, scratch);
        Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      app.start();
      long committed = 0;
      long firstCommitted = 0;
      long firstAt = 0;
      long behind = Long.MAX_VALUE;
      // done when every event is committed and the windowing step has read what the first step wrote
      // (within a few heartbeats)
      while (committed < events || behind > 100) {
        Thread.sleep(1000);
        Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> offsets =
            admin.listConsumerGroupOffsets(appId).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        committed = offsets.entrySet().stream()
            .filter(e -> e.getKey().topic().equals(topic.name()))
            .mapToLong(e -> e.getValue() == null ? 0 : e.getValue().offset()).sum();
        behind = repartitionLag(admin, offsets);
        if (firstAt == 0 && committed > 0) {
          firstAt = System.nanoTime();
          firstCommitted = committed;
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        System.out.printf("streams: %5.0f s  %,d of %,d events read (%,.0f events/s), windowing %,d samples behind%n", elapsed, committed, events,
            committed / elapsed, behind);
        if (elapsed > 1200 || !app.alive()) {
          throw new IllegalStateException("the streams app did not aggregate the backlog (alive: " + app.alive() + ")");
        }
      }
      long end = System.nanoTime();
      seconds = (end - start) / 1e9;
      steady = (events - firstCommitted) / ((end - firstAt) / 1e9);
      // the last windows close once the partitions have been idle for a while (see the streams app's Sampler)
      System.out.printf("accuracy: waiting for the last windows to close, then checking every window against the exact figures%n");
      accuracy = accuracy(bootstrap, topics.stats(), exact);
      for (int i = 0; i < 30 && accuracy.windows() < exact.size(); i++) {
        Thread.sleep(1000);
        accuracy = accuracy(bootstrap, topics.stats(), exact);
      }
    }
    System.out.printf("accuracy: %,d closed 1 s windows checked, %d with a wrong count, largest p50/p99/p99.9/max error %.3f%%%n",
        accuracy.windows(), accuracy.wrongCounts(), accuracy.largestError() * 100);
    double rate = events / seconds;
    String table = String.format(java.util.Locale.ROOT, """
        ## Streams benchmark %s — %d cores, broker + streams app on one machine, exactly_once_v2

        | measure | value |
        | --- | --- |
        | events preloaded on %s | %,d |
        | streams app: events/s aggregated (start → every event committed and windowed, incl. JVM start-up) | %,.0f |
        | streams app: events/s aggregated once running (first committed offset → the end) | %,.0f |
        | baseline: plain consumer events/s | %,.0f |
        | ratio (incl. start-up / once running) | %.3f / %.3f |
        | closed 1 s windows on pipeline.stats checked against the exact values of the same events (of %,d) | %,d |
        | windows whose count differs from the events sent | %d |
        | largest error of p50/p99/p99.9/max (end to end) against the exact percentile | %.3f%% |

        """, Instant.now(), Runtime.getRuntime().availableProcessors(), topic.name(), events, rate, steady, baseline, rate / baseline, steady / baseline,
        exact.size(), accuracy.windows(), accuracy.wrongCounts(), accuracy.largestError() * 100);
    System.out.print(table);
    Files.writeString(results, table, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    ScratchDir.remove(scratch);
  }

  private static void preload(String bootstrap, Topic<String, LifecycleEvent> topic, int events, Map<String, List<Integer>> exact) {
    Map<String, Object> props = Map.of("bootstrap.servers", bootstrap, "acks", "all", "linger.ms", 10, "compression.type", "lz4", "batch.size", 262144);
    SplittableRandom random = new SplittableRandom(11);
    Instant base = Instant.now().minus(Duration.ofMinutes(30));
    try (var producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < events; i++) {
        Instant completed = base.plusMillis(i / 2);
        long e2e = 5 + random.nextInt(400);
        JobStatus status = random.nextInt(100) < 2 ? JobStatus.FAILED : JobStatus.SUCCEEDED;
        JobType type = i % 3 == 0 ? JobType.PAYMENT : JobType.PREDICTION;
        LifecycleEvent e = new LifecycleEvent("bench-" + i, "bench", type, status, 1,
            completed.minusMillis(e2e), completed.minusMillis(e2e / 2), completed.minusMillis(e2e / 4), completed, random.nextBoolean(), null);
        exact.computeIfAbsent(type.wireName() + "@" + completed.truncatedTo(java.time.temporal.ChronoUnit.SECONDS), k -> new ArrayList<>()).add((int) e2e);
        RecordHeaders headers = new RecordHeaders();
        producer.send(new ProducerRecord<>(topic.name(), null, e.jobId(), topic.valueSerde().serializer().serialize(topic.name(), headers, e), headers));
        if (i % 500_000 == 0 && i > 0) {
          System.out.printf("preload: %,d of %,d%n", i, events);
        }
      }
    }
  }

  /** Samples the windowing step has yet to read from the repartition topic; MAX_VALUE before it committed anything. */
  private static long repartitionLag(Admin admin, Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> offsets) throws Exception {
    Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new HashMap<>();
    offsets.keySet().stream().filter(p -> p.topic().endsWith("-repartition")).forEach(p -> latest.put(p, org.apache.kafka.clients.admin.OffsetSpec.latest()));
    if (latest.isEmpty()) {
      return Long.MAX_VALUE;
    }
    long lag = 0;
    for (var e : admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).entrySet()) {
      var done = offsets.get(e.getKey());
      lag += Math.max(0, e.getValue().offset() - (done == null ? 0 : done.offset()));
    }
    return lag;
  }

  record Accuracy(int windows, int wrongCounts, double largestError) {}

  /** Compares every closed 1 s window on pipeline.stats with the exact figures of the events it covers. */
  private static Accuracy accuracy(String bootstrap, String statsTopic, Map<String, List<Integer>> exact) {
    Map<String, Object> props = Map.of("bootstrap.servers", bootstrap, "isolation.level", "read_committed");
    int windows = 0;
    int wrong = 0;
    double largest = 0;
    try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new JsonSerde<>(WindowStats.class).deserializer())) {
      List<TopicPartition> parts = consumer.partitionsFor(statsTopic).stream().map(p -> new TopicPartition(statsTopic, p.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts);
      while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        for (var record : consumer.poll(Duration.ofMillis(500))) {
          WindowStats w = record.value();
          List<Integer> values = w.window().equals("1s") ? exact.get(w.type().wireName() + "@" + w.windowStart()) : null;
          if (values == null) {
            continue;
          }
          windows++;
          if (w.count() != values.size()) {
            if (wrong++ < 3) {
              System.out.printf("accuracy: %s window at %s counted %,d events, %,d were sent%n", w.type().wireName(), w.windowStart(), w.count(), values.size());
            }
          }
          int[] sorted = values.stream().mapToInt(Integer::intValue).sorted().toArray();
          double[] reported = {w.endToEnd().p50(), w.endToEnd().p99(), w.endToEnd().p999(), w.endToEnd().max()};
          double[] percentiles = {50, 99, 99.9, 100};
          for (int i = 0; i < percentiles.length; i++) {
            int rank = Math.max(1, (int) Math.ceil(percentiles[i] / 100 * sorted.length));
            double truth = sorted[rank - 1];
            largest = Math.max(largest, Math.abs(reported[i] - truth) / truth);
          }
        }
      }
    }
    return new Accuracy(windows, wrong, largest);
  }

  private static double plainConsumer(String bootstrap, String topic, int events) {
    try (var consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap, "max.poll.records", 2000), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      long read = 0;
      long start = System.nanoTime();
      while (read < events) {
        read += consumer.poll(Duration.ofMillis(500)).count();
      }
      return read / ((System.nanoTime() - start) / 1e9);
    }
  }

}

package io.spillway.drills.bench;

import io.spillway.drills.infra.ServiceProcess;
import io.spillway.schemas.JobStatus;
import io.spillway.schemas.JobType;
import io.spillway.schemas.LifecycleEvent;
import io.spillway.schemas.Topic;
import io.spillway.schemas.Topics;
import io.spillway.schemas.env.SpillwayEnv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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

    preload(bootstrap, topic, events);
    double baseline = plainConsumer(bootstrap, topic.name(), events);
    System.out.printf("baseline: plain consumer %,.0f events/s%n", baseline);

    String appId = "bench-streams-" + System.currentTimeMillis();
    Map<String, String> appEnv = new HashMap<>(System.getenv());
    appEnv.put("SPILLWAY_STREAMS_APP_ID", appId);
    appEnv.put(SpillwayEnv.STATS_PORT, "0");
    appEnv.put("SPILLWAY_STREAMS_STATE_DIR", Files.createTempDirectory("bench-streams-state").toString());
    long start = System.nanoTime();
    double seconds;
    try (ServiceProcess app = new ServiceProcess("bench-streams-app", jar, appEnv, Files.createTempDirectory("bench-streams-logs"));
        Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      app.start();
      long committed = 0;
      while (committed < events) {
        Thread.sleep(1000);
        committed = admin.listConsumerGroupOffsets(appId).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS).entrySet().stream()
            .filter(e -> e.getKey().topic().equals(topic.name()))
            .mapToLong(e -> e.getValue() == null ? 0 : e.getValue().offset()).sum();
        double elapsed = (System.nanoTime() - start) / 1e9;
        System.out.printf("streams: %5.0f s  %,d of %,d events aggregated (%,.0f events/s)%n", elapsed, committed, events, committed / elapsed);
        if (elapsed > 1200 || !app.alive()) {
          throw new IllegalStateException("the streams app did not aggregate the backlog (alive: " + app.alive() + ")");
        }
      }
      seconds = (System.nanoTime() - start) / 1e9;
    }
    double rate = events / seconds;
    String table = String.format(java.util.Locale.ROOT, """
        ## Streams benchmark %s — %d cores, broker + streams app on one machine, exactly_once_v2

        | measure | value |
        | --- | --- |
        | events preloaded on %s | %,d |
        | streams app: events/s aggregated (start → offsets committed at the end, incl. JVM start-up) | %,.0f |
        | baseline: plain consumer events/s | %,.0f |
        | ratio | %.3f |

        """, Instant.now(), Runtime.getRuntime().availableProcessors(), topic.name(), events, rate, baseline, rate / baseline);
    System.out.print(table);
    Files.writeString(results, table, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
  }

  private static void preload(String bootstrap, Topic<String, LifecycleEvent> topic, int events) {
    Map<String, Object> props = Map.of("bootstrap.servers", bootstrap, "acks", "all", "linger.ms", 10, "compression.type", "lz4", "batch.size", 262144);
    SplittableRandom random = new SplittableRandom(11);
    Instant base = Instant.now().minus(Duration.ofMinutes(30));
    try (var producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < events; i++) {
        Instant completed = base.plusMillis(i / 2);
        long e2e = 5 + random.nextInt(400);
        JobStatus status = random.nextInt(100) < 2 ? JobStatus.FAILED : JobStatus.SUCCEEDED;
        LifecycleEvent e = new LifecycleEvent("bench-" + i, "bench", i % 3 == 0 ? JobType.PAYMENT : JobType.PREDICTION, status, 1,
            completed.minusMillis(e2e), completed.minusMillis(e2e / 2), completed.minusMillis(e2e / 4), completed, random.nextBoolean(), null);
        RecordHeaders headers = new RecordHeaders();
        producer.send(new ProducerRecord<>(topic.name(), null, e.jobId(), topic.valueSerde().serializer().serialize(topic.name(), headers, e), headers));
        if (i % 500_000 == 0 && i > 0) {
          System.out.printf("preload: %,d of %,d%n", i, events);
        }
      }
    }
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

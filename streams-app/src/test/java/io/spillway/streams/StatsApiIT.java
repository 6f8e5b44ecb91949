package io.spillway.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.spillway.devstack.DevStack;
import io.spillway.devstack.DevStackExtension;
import io.spillway.schemas.JobStatus;
import io.spillway.schemas.JobType;
import io.spillway.schemas.Json;
import io.spillway.schemas.JsonSerde;
import io.spillway.schemas.LifecycleEvent;
import io.spillway.schemas.Topic;
import io.spillway.schemas.Topics;
import io.spillway.schemas.WindowStats;
import io.spillway.schemas.env.SpillwayEnv;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two instances of the streams app share the work; each answers /v1/stats for every job type. */
@ExtendWith(DevStackExtension.class)
class StatsApiIT {

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void everyInstanceAnswersForAllTypesByForwardingToTheOwner(DevStack stack) throws Exception {
    Topics topics = Topics.withPrefix("stats-it-" + UUID.randomUUID().toString().substring(0, 6) + ".");
    stack.createTopics(topics);
    try (StreamsApp a = start(stack, topics); StreamsApp b = start(stack, topics)) {
      await().atMost(Duration.ofSeconds(90)).until(() -> ready(a) && ready(b));
      produce(stack, topics.events(), 30, 20);

      String from = Instant.now().minusSeconds(3600).toString();
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
        for (StreamsApp app : new StreamsApp[] {a, b}) {
          assertThat(count(app, "payment", from)).as("payments seen through port " + app.port()).isEqualTo(30);
          assertThat(count(app, "prediction", from)).as("predictions seen through port " + app.port()).isEqualTo(20);
        }
      });
    }
  }

  @Test
  void anOpenWindowSurvivesARestartOnAFreshStateDirectoryAndIsWrittenOnce(DevStack stack) throws Exception {
    Topics topics = Topics.withPrefix("stats-restart-" + UUID.randomUUID().toString().substring(0, 6) + ".");
    stack.createTopics(topics);
    Instant window = Instant.now().minusSeconds(600).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    try (StreamsApp first = start(stack, topics)) {
      await().atMost(Duration.ofSeconds(90)).until(() -> ready(first));
      produceAt(stack, topics.events(), window, 25, 0);
      // the open window reaches the changelogged store at a commit: the stats API reads it from there
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
          .untilAsserted(() -> assertThat(count(first, "payment", window.minusSeconds(1).toString())).isEqualTo(25));
    }
    try (StreamsApp second = start(stack, topics)) { // same application, empty state directory: restored from the changelog
      await().atMost(Duration.ofSeconds(90)).until(() -> ready(second));
      produceAt(stack, topics.events(), window, 10, 25);
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
          .untilAsserted(() -> assertThat(count(second, "payment", window.minusSeconds(1).toString())).isEqualTo(35));
      produceAt(stack, topics.events(), window.plusSeconds(5), 1, 35); // stream time passes the window's end and grace

      List<WindowStats> written = new ArrayList<>();
      try (var consumer = new KafkaConsumer<>(Map.<String, Object>of("bootstrap.servers", stack.kafkaBootstrap(), "isolation.level", "read_committed",
          "auto.offset.reset", "earliest", "group.id", "stats-restart-reader-" + UUID.randomUUID()), new StringDeserializer(),
          new JsonSerde<>(WindowStats.class).deserializer())) {
        consumer.subscribe(List.of(topics.stats()));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
          consumer.poll(Duration.ofMillis(500)).forEach(r -> written.add(r.value()));
          assertThat(written).anyMatch(w -> w.window().equals("1s") && w.windowStart().equals(window));
        });
        consumer.poll(Duration.ofSeconds(2)).forEach(r -> written.add(r.value()));
      }
      List<WindowStats> ours = written.stream().filter(w -> w.window().equals("1s") && w.windowStart().equals(window)).toList();
      assertThat(ours).as("the window is written exactly once").hasSize(1);
      assertThat(ours.getFirst().count()).as("events before and after the restart").isEqualTo(35);
    }
  }

  private StreamsApp start(DevStack stack, Topics topics) throws Exception {
    Map<String, String> env = new HashMap<>(stack.env());
    env.put(SpillwayEnv.TOPIC_PREFIX, topics.prefix());
    env.put(SpillwayEnv.STATS_PORT, "0");
    env.put(StreamsConfig.STATE_DIR, Files.createTempDirectory("stats-it").toString());
    env.put(StreamsConfig.APP_ID, topics.prefix() + "streams");
    return StreamsApp.start(StreamsConfig.fromEnv(new SpillwayEnv(env)));
  }

  private boolean ready(StreamsApp app) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/readyz")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
  }

  private long count(StreamsApp app, String type, String from) throws Exception {
    HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + app.port() + "/v1/stats?window=1s&type=" + type + "&from=" + from)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).isEqualTo(200);
    long total = 0;
    for (JsonNode w : Json.mapper().readTree(answer.body())) {
      total += w.path("count").asLong();
    }
    return total;
  }

  private static void produceAt(DevStack stack, Topic<String, LifecycleEvent> topic, Instant completed, int payments, int firstId) throws Exception {
    try (var producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(), "acks", "all"), new StringSerializer(), new ByteArraySerializer())) {
      for (int i = firstId; i < firstId + payments; i++) {
        LifecycleEvent e = new LifecycleEvent("r-" + i, "t", JobType.PAYMENT, JobStatus.SUCCEEDED, 1, completed.minusMillis(40), completed.minusMillis(30),
            completed.minusMillis(20), completed.plusMillis(i % 100), false, null);
        RecordHeaders headers = new RecordHeaders();
        producer.send(new ProducerRecord<>(topic.name(), null, e.jobId(), topic.valueSerde().serializer().serialize(topic.name(), headers, e), headers)).get();
      }
    }
  }

  private static void produce(DevStack stack, Topic<String, LifecycleEvent> topic, int payments, int predictions) throws Exception {
    try (var producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(), "acks", "all"), new StringSerializer(), new ByteArraySerializer())) {
      Instant now = Instant.now();
      for (int i = 0; i < payments + predictions; i++) {
        JobType type = i < payments ? JobType.PAYMENT : JobType.PREDICTION;
        LifecycleEvent e = new LifecycleEvent("e-" + i, "t", type, JobStatus.SUCCEEDED, 1, now.minusMillis(40), now.minusMillis(30),
            now.minusMillis(20), now.plusMillis(i), false, null);
        RecordHeaders headers = new RecordHeaders();
        producer.send(new ProducerRecord<>(topic.name(), null, e.jobId(), topic.valueSerde().serializer().serialize(topic.name(), headers, e), headers)).get();
      }
    }
  }
}

package io.spillway.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.schemas.env.SpillwayEnv;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

@ExtendWith(DevStackExtension.class)
class DevStackIT {

  private final DevStack stack;

  DevStackIT(DevStack stack) {
    this.stack = stack;
  }

  @Test
  void everyPipelineTopicExistsWithItsPartitionCount() throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
      List<String> names = stack.topics().all().stream().map(t -> t.name()).toList();
      Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);

      stack.topics().all()
          .forEach(spec -> assertThat(described.get(spec.name()).partitions()).hasSize(spec.partitions()));
    }
  }

  @Test
  void brokerAcknowledgesAndServesARecordAfterARestart() throws Exception {
    String topic = stack.topics().dlq().name();
    RecordMetadata first = produce(topic, "before-restart");

    stack.broker().stop();
    stack.broker().start();
    RecordMetadata second = produce(topic, "after-restart");

    assertThat(consume(topic, first.partition(), first.offset(), 1)).containsExactly("before-restart");
    assertThat(consume(topic, second.partition(), second.offset(), 1)).containsExactly("after-restart");
  }

  @Test
  void databaseIsMigratedAndPrivateToThisTestJvm() throws Exception {
    try (Connection c = stack.pgConnection();
        ResultSet rs =
            c.createStatement()
                .executeQuery("SELECT current_database(), to_regclass('public.jobs') IS NOT NULL")) {
      rs.next();
      assertThat(rs.getString(1)).startsWith("spillway_it_");
      assertThat(rs.getBoolean(2)).isTrue();
    }
  }

  @Test
  void redisAnswersAtTheAdvertisedUrl() {
    try (RedisClient redis = RedisClient.create(stack.redisUrl())) {
      redis.setex("devstack-it", 10, "ok");
      assertThat(redis.get("devstack-it")).isEqualTo("ok");
    }
  }

  @Test
  void envNamesEveryServiceVariable() {
    assertThat(stack.env())
        .containsEntry("SPILLWAY_KAFKA_BOOTSTRAP", stack.kafkaBootstrap())
        .containsEntry("SPILLWAY_PG_URL", stack.pgUrl())
        .containsEntry("SPILLWAY_REDIS_URL", stack.redisUrl())
        .containsKeys("SPILLWAY_PG_USER", "SPILLWAY_PG_PASSWORD", "SPILLWAY_TOPIC_PREFIX");
  }

  @Test
  void aTestStackRemovesItsBrokerDataWhenClosed() throws Exception {
    DevStackConfig config = DevStackConfig.forTests(SpillwayEnv.system());
    try (DevStack another = DevStack.start(config)) {
      produce(another.kafkaBootstrap(), another.topics().dlq().name(), "written to disk");
      assertThat(config.dir().resolve("kafka/data")).isNotEmptyDirectory();
    }

    assertThat(config.dir()).doesNotExist();
  }

  @Test
  void aBrokerWhoseFirstFormatFailsIsClearedAndFormattedOnceMore(@TempDir Path dir) throws Exception {
    // the storage tool cannot make its log directory where a file stands in the way
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("data"), "left over from an interrupted run");

    try (ProcessKafkaBroker broker = ProcessKafkaBroker.launch(dir, 0, "256m")) {
      assertThat(dir.resolve("data/meta.properties")).exists();
      assertThat(dir.resolve("format.out")).content().contains("Formatting");
    }
  }

  private RecordMetadata produce(String topic, String value) throws Exception {
    return produce(stack.kafkaBootstrap(), topic, value);
  }

  private static RecordMetadata produce(String bootstrap, String topic, String value) throws Exception {
    Map<String, Object> props =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
    try (var producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      return producer.send(new ProducerRecord<>(topic, "k", value)).get(60, TimeUnit.SECONDS);
    }
  }

  private List<String> consume(String topic, int partition, long offset, int count) {
    Map<String, Object> props =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap(),
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
      TopicPartition tp = new TopicPartition(topic, partition);
      consumer.assign(List.of(tp));
      consumer.seek(tp, offset);
      List<String> values = new java.util.ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (values.size() < count && System.nanoTime() < deadline) {
        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(500));
        records.forEach(r -> values.add(r.value()));
      }
      return values.subList(0, Math.min(count, values.size()));
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}

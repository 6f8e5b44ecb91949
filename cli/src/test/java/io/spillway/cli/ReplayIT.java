package io.spillway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.spillway.devstack.DevStack;
import io.spillway.devstack.DevStackExtension;
import io.spillway.schemas.SpillwayHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** replay in both modes against a real broker. */
@ExtendWith(DevStackExtension.class)
class ReplayIT {

  private final DevStack stack;
  private final String source = "replay-src-" + UUID.randomUUID();
  private final String target = "replay-dst-" + UUID.randomUUID();
  private final TopicPartition p0 = new TopicPartition(source, 0);

  ReplayIT(DevStack stack) throws Exception {
    this.stack = stack;
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
      admin.createTopics(List.of(new NewTopic(source, 2, (short) 1), new NewTopic(target, 1, (short) 1))).all().get();
    }
    try (var producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(), "acks", "all"), new StringSerializer(), new StringSerializer())) {
      for (int i = 0; i < 20; i++) {
        ProducerRecord<String, String> r = new ProducerRecord<>(source, 0, "key-" + i, "value-" + i);
        r.headers().add("trace", ("t-" + i).getBytes(StandardCharsets.UTF_8));
        producer.send(r).get();
      }
    }
  }

  @Test
  void copyModeReplaysExactlyTheRangeWithKeysHeadersAndOrigin() {
    CliUsageTest.Run run = CliUsageTest.run("replay", source, "--bootstrap", stack.kafkaBootstrap(), "--partitions", "0",
        "--from-offset", "5", "--to-offset", "15", "--to", target);

    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out()).contains("copied 10 records").contains("records/s");
    List<ConsumerRecord<String, String>> copies = readAll(target);
    assertThat(copies).extracting(ConsumerRecord::key).containsExactly(
        "key-5", "key-6", "key-7", "key-8", "key-9", "key-10", "key-11", "key-12", "key-13", "key-14");
    ConsumerRecord<String, String> first = copies.getFirst();
    assertThat(first.value()).isEqualTo("value-5");
    assertThat(new String(first.headers().lastHeader("trace").value(), StandardCharsets.UTF_8)).isEqualTo("t-5");
    assertThat(SpillwayHeaders.text(first.headers(), SpillwayHeaders.REPLAY_ORIGIN)).hasValue(source + "/0/5");
  }

  @Test
  void resetModeDryRunChangesNothingAndTheRealRunMovesTheOffsets() throws Exception {
    String group = "replay-group-" + UUID.randomUUID();
    commit(group, 20);

    CliUsageTest.Run dry = CliUsageTest.run("replay", source, "--bootstrap", stack.kafkaBootstrap(), "--partitions", "0",
        "--from-offset", "8", "--reset-group", group, "--dry-run");
    assertThat(dry.code()).as(dry.err()).isZero();
    assertThat(dry.out()).containsPattern(java.util.regex.Pattern.quote(source) + "-0\\s+20\\s+8\\s+20\\s+12").contains("nothing changed");
    assertThat(committed(group)).isEqualTo(20);

    CliUsageTest.Run real = CliUsageTest.run("replay", source, "--bootstrap", stack.kafkaBootstrap(), "--partitions", "0",
        "--from-offset", "8", "--reset-group", group);
    assertThat(real.code()).as(real.err()).isZero();
    assertThat(committed(group)).isEqualTo(8);
  }

  @Test
  void aGroupWithActiveMembersIsRefused() {
    String group = "replay-active-" + UUID.randomUUID();
    try (var member = new KafkaConsumer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(), "group.id", group),
        new StringDeserializer(), new StringDeserializer())) {
      member.subscribe(List.of(source));
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        member.poll(Duration.ofMillis(200));
        return !member.assignment().isEmpty();
      });

      CliUsageTest.Run run = CliUsageTest.run("replay", source, "--bootstrap", stack.kafkaBootstrap(), "--from-offset", "0", "--reset-group", group);

      assertThat(run.code()).isEqualTo(1);
      assertThat(run.err()).contains("active members");
    }
  }

  private void commit(String group, long offset) {
    try (var c = new KafkaConsumer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(), "group.id", group, "enable.auto.commit", false),
        new StringDeserializer(), new StringDeserializer())) {
      c.assign(List.of(p0));
      c.commitSync(Map.of(p0, new OffsetAndMetadata(offset)));
    }
  }

  private long committed(String group) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
      return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().get(p0).offset();
    }
  }

  private List<ConsumerRecord<String, String>> readAll(String topic) {
    List<ConsumerRecord<String, String>> all = new ArrayList<>();
    try (var c = new KafkaConsumer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap()), new StringDeserializer(), new StringDeserializer())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long end = c.endOffsets(List.of(tp)).get(tp);
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (c.position(tp) < end && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(300)).forEach(all::add);
      }
    }
    return all;
  }
}

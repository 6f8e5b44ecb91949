package io.spillway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.devstack.DevStack;
import io.spillway.devstack.DevStackExtension;
import io.spillway.schemas.DecodeResult;
import io.spillway.schemas.JobEnvelope;
import io.spillway.schemas.PaymentInput;
import io.spillway.schemas.SpillwayHeaders;
import io.spillway.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** dlq and lag against a real broker, on topics of their own. */
@ExtendWith(DevStackExtension.class)
class OperatorCommandsIT {

  private final DevStack stack;
  private final Topics topics = Topics.withPrefix("cli-it-" + UUID.randomUUID().toString().substring(0, 8) + ".");

  OperatorCommandsIT(DevStack stack) {
    this.stack = stack;
    stack.createTopics(topics);
  }

  @Test
  void dlqListShowAndRedriveRoundTrip() throws Exception {
    JobEnvelope job = JobEnvelope.first("job-dlq-1", "acme", Instant.now(), new PaymentInput("acc-9", 500, "EUR", "m-1")).withAttempt(5);
    deadLetter(job, "TRANSIENT", "database timed out");
    deadLetterRaw("garbage".getBytes(StandardCharsets.UTF_8), "MALFORMED_NOT_JSON");
    String[] common = {"--bootstrap", stack.kafkaBootstrap(), "--topic-prefix", topics.prefix()};

    CliUsageTest.Run list = CliUsageTest.run(concat(new String[] {"dlq", "list"}, common));
    assertThat(list.code()).isZero();
    assertThat(list.out()).contains("TRANSIENT").contains("MALFORMED_NOT_JSON").contains("2 dead letters");
    CliUsageTest.Run filtered = CliUsageTest.run(concat(new String[] {"dlq", "list", "--error", "TRANSIENT"}, common));
    assertThat(filtered.out()).contains("1 dead letters");
    String where = filtered.out().lines().skip(1).findFirst().orElseThrow().split("\\s+")[0];
    CliUsageTest.Run show = CliUsageTest.run(concat(new String[] {"dlq", "show", where}, common));
    assertThat(show.out()).contains("spillway-error-message = database timed out").contains("job-dlq-1");

    CliUsageTest.Run dry = CliUsageTest.run(concat(new String[] {"dlq", "redrive", "--dry-run"}, common));
    assertThat(dry.out()).contains("would redrive 1, skipped 1 of 2");
    assertThat(read(topics.payment().name())).as("a dry run changes nothing").isEmpty();

    CliUsageTest.Run redrive = CliUsageTest.run(concat(new String[] {"dlq", "redrive", "--filter", "TRANSIENT"}, common));
    assertThat(redrive.code()).isZero();
    List<ConsumerRecord<String, byte[]>> back = read(topics.payment().name());
    assertThat(back).hasSize(1);
    ConsumerRecord<String, byte[]> again = back.getFirst();
    assertThat(again.key()).isEqualTo("acc-9");
    assertThat(SpillwayHeaders.text(again.headers(), SpillwayHeaders.REDRIVE)).hasValueSatisfying(v -> assertThat(v).contains(topics.dlq().name()));
    assertThat(SpillwayHeaders.text(again.headers(), SpillwayHeaders.ERROR_CODE)).isEmpty();
    var decoded = topics.payment().valueSerde().decode(again.value(), again.headers());
    assertThat(decoded).isInstanceOfSatisfying(DecodeResult.Ok.class, ok -> {
      JobEnvelope redriven = (JobEnvelope) ok.value();
      assertThat(redriven.jobId()).isEqualTo("job-dlq-1");
      assertThat(redriven.attempt()).isEqualTo(1);
    });
  }

  @Test
  void lagShowsCommittedEndAndLagPerPartition() throws Exception {
    String group = "cli-it-group-" + UUID.randomUUID();
    try (var producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap()), new StringSerializer(), new StringSerializer())) {
      for (int i = 0; i < 30; i++) {
        producer.send(new ProducerRecord<>(topics.events().name(), 0, "k" + i, "v" + i));
      }
    }
    try (var consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(), "group.id", group, "enable.auto.commit", false),
        new StringDeserializer(), new StringDeserializer())) {
      TopicPartition p0 = new TopicPartition(topics.events().name(), 0);
      consumer.assign(List.of(p0));
      consumer.commitSync(Map.of(p0, new org.apache.kafka.clients.consumer.OffsetAndMetadata(10)));
    }

    CliUsageTest.Run lag = CliUsageTest.run("lag", "--bootstrap", stack.kafkaBootstrap(), "--group", group);

    assertThat(lag.code()).as(lag.err()).isZero();
    assertThat(lag.out()).containsPattern(group + "\\s+" + java.util.regex.Pattern.quote(topics.events().name()) + "-000\\s+10\\s+30\\s+20");
  }

  private void deadLetter(JobEnvelope job, String code, String message) throws Exception {
    RecordHeaders headers = new RecordHeaders();
    byte[] value = topics.dlq().valueSerde().serializer().serialize(topics.dlq().name(), headers, job);
    SpillwayHeaders.put(headers, SpillwayHeaders.ERROR_CODE, code);
    SpillwayHeaders.put(headers, SpillwayHeaders.ERROR_MESSAGE, message);
    SpillwayHeaders.put(headers, SpillwayHeaders.SOURCE_TOPIC, topics.payment().name());
    SpillwayHeaders.put(headers, SpillwayHeaders.ATTEMPT, "5");
    send(job.key(), value, headers);
  }

  private void deadLetterRaw(byte[] value, String code) throws Exception {
    RecordHeaders headers = new RecordHeaders();
    SpillwayHeaders.put(headers, SpillwayHeaders.ERROR_CODE, code);
    SpillwayHeaders.put(headers, SpillwayHeaders.ERROR_MESSAGE, "not JSON");
    SpillwayHeaders.put(headers, SpillwayHeaders.SOURCE_TOPIC, topics.prediction().name());
    send("poison", value, headers);
  }

  private void send(String key, byte[] value, RecordHeaders headers) throws Exception {
    try (var producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(), "acks", "all"), new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topics.dlq().name(), null, key, value, headers)).get();
    }
  }

  private List<ConsumerRecord<String, byte[]>> read(String topic) {
    List<ConsumerRecord<String, byte[]>> all = new ArrayList<>();
    try (var consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap()), new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      var end = consumer.endOffsets(parts);
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (System.nanoTime() < deadline && parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        consumer.poll(Duration.ofMillis(300)).forEach(all::add);
      }
    }
    return all;
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}

package io.spillway.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.spillway.devstack.DevStack;
import io.spillway.devstack.DevStackExtension;
import io.spillway.devstack.Ports;
import io.spillway.schemas.JobEnvelope;
import io.spillway.schemas.JobPayload;
import io.spillway.schemas.PaymentInput;
import io.spillway.schemas.PredictionInput;
import io.spillway.schemas.RedisKeys;
import io.spillway.schemas.SpillwayHeaders;
import io.spillway.schemas.Topic;
import io.spillway.schemas.Topics;
import io.spillway.schemas.env.SpillwayEnv;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.RedisClient;

/** The workers against a real broker, Redis and PostgreSQL: jobs produced straight to Kafka. */
@ExtendWith(DevStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkersIT {

  private DevStack stack;
  private Topics topics;
  private Workers workers;
  private KafkaProducer<String, byte[]> producer;

  @BeforeAll
  void start(DevStack stack) {
    this.stack = stack;
    this.topics = Topics.withPrefix("workers-it.");
    stack.createTopics(topics);
    workers = Workers.start(WorkersConfig.fromEnv(env(stack.redisUrl())));
    producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(), "acks", "all"), new StringSerializer(), new ByteArraySerializer());
  }

  @AfterAll
  void stop() {
    producer.close();
    workers.close();
  }

  private SpillwayEnv env(String redisUrl) {
    Map<String, String> env = new HashMap<>(stack.env());
    env.put(SpillwayEnv.TOPIC_PREFIX, topics.prefix());
    env.put(SpillwayEnv.METRICS_PORT, "0");
    env.put(SpillwayEnv.REDIS_URL, redisUrl);
    return new SpillwayEnv(env);
  }

  @Test
  void aRedeliveredPaymentCreatesNoSecondLedgerEntryAndMovesTheTotalOnce() throws Exception {
    String account = "acc-" + UUID.randomUUID();
    JobEnvelope job = job(new PaymentInput(account, 2500, "EUR", "m-1"));

    send(job);
    awaitStatus(job.jobId(), "SUCCEEDED");
    send(job); // redelivery, e.g. a replay or a crash before the offset commit
    JobEnvelope marker = job(new PaymentInput(account, 100, "EUR", "m-1"));
    send(marker);
    awaitStatus(marker.jobId(), "SUCCEEDED");

    assertThat(queryLong("SELECT count(*) FROM payment_ledger WHERE job_id = ?", job.jobId())).isEqualTo(1);
    assertThat(queryLong("SELECT total_minor FROM account_totals WHERE account_id = ?", account)).isEqualTo(2600);
  }

  @Test
  void paymentsOfOneAccountAreAppliedInTheOrderTheyWereProduced() throws Exception {
    String account = "acc-" + UUID.randomUUID();
    List<String> produced = new ArrayList<>();
    for (int i = 1; i <= 120; i++) {
      JobEnvelope job = job(new PaymentInput(account, i, "EUR", "m-" + (i % 7)));
      produced.add(job.jobId());
      sendAsync(job);
    }
    producer.flush();

    awaitStatus(produced.getLast(), "SUCCEEDED");
    List<String> ledger = new ArrayList<>();
    try (Connection c = stack.pgConnection();
        PreparedStatement s = c.prepareStatement("SELECT job_id FROM payment_ledger WHERE account_id = ? ORDER BY entry_id")) {
      s.setString(1, account);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          ledger.add(rs.getString(1));
        }
      }
    }
    assertThat(ledger).containsExactlyElementsOf(produced);
  }

  @Test
  void aClosedAccountFailsItsPaymentWithoutALedgerEntry() throws Exception {
    String account = "closed-" + UUID.randomUUID();
    try (Connection c = stack.pgConnection(); PreparedStatement s = c.prepareStatement("INSERT INTO accounts (account_id, status) VALUES (?, 'CLOSED')")) {
      s.setString(1, account);
      s.executeUpdate();
    }
    JobEnvelope job = job(new PaymentInput(account, 500, "EUR", "m-1"));

    send(job);

    awaitStatus(job.jobId(), "FAILED");
    assertThat(queryString("SELECT error->>'code' FROM jobs WHERE job_id = ?", job.jobId())).isEqualTo("ACCOUNT_CLOSED");
    assertThat(queryLong("SELECT count(*) FROM payment_ledger WHERE job_id = ?", job.jobId())).isZero();
  }

  @Test
  void aSecondIdenticalPredictionIsServedFromTheCache() throws Exception {
    PredictionInput input = PredictionInput.of("default", Map.of("basket_total", Math.random() * 1000, "items", 3.0));
    JobEnvelope first = job(input);
    send(first);
    awaitStatus(first.jobId(), "SUCCEEDED");
    JobEnvelope second = job(PredictionInput.of("default", Map.of("items", 3.0, "basket_total", input.features().get("basket_total"))));

    send(second);

    awaitStatus(second.jobId(), "SUCCEEDED");
    assertThat(queryString("SELECT result->>'cached' FROM jobs WHERE job_id = ?", first.jobId())).isEqualTo("false");
    assertThat(queryString("SELECT result->>'cached' FROM jobs WHERE job_id = ?", second.jobId())).isEqualTo("true");
    assertThat(queryString("SELECT result->>'score' FROM jobs WHERE job_id = ?", second.jobId()))
        .isEqualTo(queryString("SELECT result->>'score' FROM jobs WHERE job_id = ?", first.jobId()));
    try (RedisClient redis = RedisClient.create(stack.redisUrl())) {
      assertThat(redis.ttl(RedisKeys.predictionCache(input.inputHash()))).isPositive();
    }
  }

  @Test
  void concurrentIdenticalInputsAreComputedOnce() throws Exception {
    PredictionInput input = PredictionInput.of("default", Map.of("session_seconds", Math.random() * 1000));
    List<JobEnvelope> jobs = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      jobs.add(job(input));
    }
    jobs.forEach(this::sendAsync);
    producer.flush();

    for (JobEnvelope j : jobs) {
      awaitStatus(j.jobId(), "SUCCEEDED");
    }
    long computed = 0;
    for (JobEnvelope j : jobs) {
      if ("false".equals(queryString("SELECT result->>'cached' FROM jobs WHERE job_id = ?", j.jobId()))) {
        computed++;
      }
    }
    assertThat(computed).as("jobs that ran the model").isEqualTo(1);
  }

  @Test
  void aPoisonRecordGoesToTheDlqWhileTheRestFlow() throws Exception {
    byte[] poison = ("not a job " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
    producer.send(new ProducerRecord<>(topics.prediction().name(), "poison", poison)).get();
    JobEnvelope after = job(PredictionInput.of("default", Map.of("items", Math.random())));
    send(after);

    awaitStatus(after.jobId(), "SUCCEEDED");
    ConsumerRecord<byte[], byte[]> dead = findInDlq(poison);
    assertThat(SpillwayHeaders.text(dead.headers(), SpillwayHeaders.ERROR_CODE)).hasValue("MALFORMED_NOT_JSON");
    assertThat(SpillwayHeaders.text(dead.headers(), SpillwayHeaders.SOURCE_TOPIC)).hasValue(topics.prediction().name());
  }

  @Test
  void withRedisDownJobsStillCompleteInPostgres() throws Exception {
    Topics own = Topics.withPrefix("workers-it-noredis.");
    stack.createTopics(own);
    Map<String, String> vars = new HashMap<>(stack.env());
    vars.put(SpillwayEnv.TOPIC_PREFIX, own.prefix());
    vars.put(SpillwayEnv.METRICS_PORT, "0");
    vars.put(SpillwayEnv.REDIS_URL, "redis://127.0.0.1:" + Ports.free());
    try (Workers noRedis = Workers.start(WorkersConfig.fromEnv(new SpillwayEnv(vars)))) {
      JobEnvelope payment = job(new PaymentInput("acc-" + UUID.randomUUID(), 700, "EUR", "m-1"));
      JobEnvelope prediction = job(PredictionInput.of("default", Map.of("items", Math.random())));
      send(own.payment(), payment);
      send(own.prediction(), prediction);

      awaitStatus(payment.jobId(), "SUCCEEDED");
      awaitStatus(prediction.jobId(), "SUCCEEDED");
    }
  }

  private JobEnvelope job(JobPayload payload) {
    return JobEnvelope.first("it-" + UUID.randomUUID(), "acme", Instant.now(), payload);
  }

  private void send(JobEnvelope job) throws Exception {
    send(topics.forType(job.type()), job);
  }

  private void send(Topic<String, JobEnvelope> topic, JobEnvelope job) throws Exception {
    RecordHeaders headers = new RecordHeaders();
    byte[] value = topic.valueSerde().serializer().serialize(topic.name(), headers, job);
    producer.send(new ProducerRecord<>(topic.name(), null, job.key(), value, headers)).get(30, TimeUnit.SECONDS);
  }

  private void sendAsync(JobEnvelope job) {
    Topic<String, JobEnvelope> topic = topics.forType(job.type());
    RecordHeaders headers = new RecordHeaders();
    byte[] value = topic.valueSerde().serializer().serialize(topic.name(), headers, job);
    producer.send(new ProducerRecord<>(topic.name(), null, job.key(), value, headers));
  }

  private void awaitStatus(String jobId, String status) {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .untilAsserted(() -> assertThat(queryString("SELECT status FROM jobs WHERE job_id = ?", jobId)).isEqualTo(status));
  }

  private ConsumerRecord<byte[], byte[]> findInDlq(byte[] value) {
    Map<String, Object> props = Map.of("bootstrap.servers", stack.kafkaBootstrap());
    try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topics.dlq().name()).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      ConsumerRecord<byte[], byte[]>[] found = new ConsumerRecord[1];
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          if (java.util.Arrays.equals(r.value(), value)) {
            found[0] = r;
          }
        }
        return found[0] != null;
      });
      return found[0];
    }
  }

  private String queryString(String sql, String arg) throws Exception {
    try (Connection c = stack.pgConnection(); PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, arg);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private long queryLong(String sql, String arg) throws Exception {
    String value = queryString(sql, arg);
    return value == null ? -1 : Long.parseLong(value);
  }


}

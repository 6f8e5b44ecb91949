package io.spillway.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.spillway.devstack.DevStack;
import io.spillway.devstack.DevStackExtension;
import io.spillway.devstack.Ports;
import io.spillway.schemas.DecodeResult;
import io.spillway.schemas.JobEnvelope;
import io.spillway.schemas.JobStatus;
import io.spillway.schemas.JobType;
import io.spillway.schemas.LifecycleEvent;
import io.spillway.schemas.PaymentInput;
import io.spillway.schemas.SpillwayHeaders;
import io.spillway.schemas.Topic;
import io.spillway.schemas.Topics;
import io.spillway.schemas.env.SpillwayEnv;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The workers' failure behaviour against a real broker, Redis and PostgreSQL: transient
 * PostgreSQL errors, the retry budget ({@code SPILLWAY_MAX_ATTEMPTS}, {@code jobs.retry},
 * {@code jobs.dlq}) and PostgreSQL becoming unreachable mid-run.
 *
 * <p>Two kinds of real faults, no mocks. A transient error is raised by PostgreSQL itself: a
 * trigger on {@code payment_ledger} answers SQLSTATE 40001 (serialization failure, which the
 * workers classify as transient) for the accounts a test names, a given number of times or always,
 * counting each attempt in a sequence (sequences are not rolled back, so the count survives the
 * failed transactions). An unreachable PostgreSQL is a TCP forwarder between the worker's JDBC URL
 * and the real server that the test cuts (listener closed, live connections reset) and reopens on
 * the same port — the local PostgreSQL is shared and is never stopped.
 *
 * <p>Each test runs its own {@link Workers} on its own topic prefix. The last two are about group
 * rebalances: one during a pause for a PostgreSQL outage, one during a slow batch (the same trigger
 * can also make an account's ledger insert wait).
 */
@ExtendWith(DevStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkersFailureIT {

  private static final String FAULTS = "workers_failure_it_faults";
  private static final String FAULT_FN = "workers_failure_it_fault";
  private static final Set<String> TERMINAL = Set.of("SUCCEEDED", "FAILED", "DEAD_LETTERED");
  /** The rebalance tests' workers: one payment consumer each, so that each worker is one group member. */
  private static final Map<String, String> ONE_PAYMENT_CONSUMER = Map.of(WorkersConfig.CONSUMERS, "1", WorkersConfig.TYPES, "payment");
  private static final String PAYMENT_GROUP = Workers.groupId(JobType.PAYMENT);

  private DevStack stack;
  private KafkaProducer<String, byte[]> producer;

  @BeforeAll
  void start(DevStack stack) throws Exception {
    this.stack = stack;
    producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(), "acks", "all"), new StringSerializer(), new ByteArraySerializer());
    try (Connection c = stack.pgConnection(); Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS " + FAULTS);
      s.execute("CREATE TABLE " + FAULTS + " (account_id text PRIMARY KEY, fail_first integer NOT NULL, hits text NOT NULL, sqlstate text NOT NULL,"
          + " delay_ms integer NOT NULL DEFAULT 0)");
      s.execute("""
          CREATE OR REPLACE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS $$
          DECLARE
            f record;
            n bigint;
          BEGIN
            SELECT * INTO f FROM %s WHERE account_id = NEW.account_id;
            IF FOUND THEN
              n := nextval(f.hits::regclass);
              PERFORM pg_sleep(f.delay_ms / 1000.0);
              IF f.fail_first < 0 OR n <= f.fail_first THEN
                RAISE EXCEPTION 'injected fault #%% for account %%', n, NEW.account_id USING ERRCODE = f.sqlstate;
              END IF;
            END IF;
            RETURN NEW;
          END $$""".formatted(FAULT_FN, FAULTS));
      s.execute("DROP TRIGGER IF EXISTS " + FAULT_FN + " ON payment_ledger");
      s.execute("CREATE TRIGGER " + FAULT_FN + " BEFORE INSERT ON payment_ledger FOR EACH ROW EXECUTE FUNCTION " + FAULT_FN + "()");
    }
  }

  @AfterAll
  void stop() throws Exception {
    if (producer != null) {
      producer.close();
    }
    if (stack != null) {
      try (Connection c = stack.pgConnection(); Statement s = c.createStatement()) {
        s.execute("DROP TRIGGER IF EXISTS " + FAULT_FN + " ON payment_ledger");
        s.execute("DROP FUNCTION IF EXISTS " + FAULT_FN + "()");
        s.execute("DROP TABLE IF EXISTS " + FAULTS);
      }
    }
  }

  /**
   * Retry then success: the first attempt of a payment fails transiently; the job is retried
   * through {@code jobs.retry} (SPILLWAY_RETRY_BACKOFF) and succeeds on a later attempt, which the
   * jobs row and the lifecycle events record as attempt 2, with one ledger entry.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aPaymentWhoseFirstAttemptFailsTransientlySucceedsOnALaterAttemptThroughJobsRetry() throws Exception {
    Topics topics = ownTopics("retry");
    String account = "acc-retry-" + UUID.randomUUID();
    String hits = injectTransientFault(account, 1);
    try (Workers ignored = startWorkers(topics, Map.of(WorkersConfig.MAX_ATTEMPTS, "5", WorkersConfig.RETRY_BACKOFF, "200ms", WorkersConfig.CONSUMERS, "2"), stack.pgUrl())) {
      awaitStableAssignment(topics.payment(), 2);
      JobEnvelope job = payment(account, 1200);

      send(topics.payment(), job);

      awaitStatus(job.jobId(), "SUCCEEDED", Duration.ofSeconds(40));
      assertThat(sequenceValue(hits)).as("ledger insert attempts for the job (the first was refused with SQLSTATE 40001)").isEqualTo(2);
      assertThat(ledgerEntries(List.of(job.jobId()))).as("ledger entries of the job").isEqualTo(1);

      int recordedAttempts = (int) queryLong("SELECT attempts FROM jobs WHERE job_id = ?", job.jobId());
      List<LifecycleEvent> events = awaitTerminalEvent(topics, job.jobId());
      List<ConsumerRecord<byte[], byte[]>> retried = recordsOfJob(topics, topics.retry().name(), job.jobId());
      SoftAssertions soft = new SoftAssertions();
      soft.assertThat(recordedAttempts).as("jobs.attempts of a job whose first attempt failed transiently").isGreaterThan(1);
      soft.assertThat(events.stream().filter(e -> e.status() == JobStatus.SUCCEEDED).map(LifecycleEvent::attempt).toList())
          .as("attempt of the SUCCEEDED lifecycle event on %s (all events: %s)", topics.events().name(), describe(events))
          .containsExactly(2);
      soft.assertThat(retried.stream().map(r -> SpillwayHeaders.text(r.headers(), SpillwayHeaders.ATTEMPT).orElse("?")).toList())
          .as("attempt headers of the job's records on %s", topics.retry().name())
          .containsExactly("2");
      soft.assertAll();
    } finally {
      clearFault(account);
    }
  }

  /**
   * Max attempts then DLQ: a payment that fails transiently on every attempt ends DEAD_LETTERED in
   * PostgreSQL after SPILLWAY_MAX_ATTEMPTS attempts, without a ledger entry, and its record is on
   * {@code jobs.dlq} with the error headers.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aPaymentThatKeepsFailingTransientlyIsDeadLetteredAfterMaxAttemptsWithItsErrorOnJobsDlq() throws Exception {
    int maxAttempts = 3;
    Topics topics = ownTopics("dlq");
    String account = "acc-dlq-" + UUID.randomUUID();
    String hits = injectTransientFault(account, -1);
    try (Workers ignored = startWorkers(topics, Map.of(WorkersConfig.MAX_ATTEMPTS, String.valueOf(maxAttempts), WorkersConfig.RETRY_BACKOFF, "100ms", WorkersConfig.CONSUMERS, "2"),
        stack.pgUrl())) {
      awaitStableAssignment(topics.payment(), 2);
      JobEnvelope job = payment(account, 900);

      send(topics.payment(), job);

      // Wait for a terminal status, or until the worker has clearly gone past its attempt budget.
      await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200))
          .until(() -> TERMINAL.contains(String.valueOf(status(job.jobId()))) || sequenceValue(hits) > maxAttempts + 1);
      long attemptsMade = sequenceValue(hits);
      assertThat(status(job.jobId()))
          .as("status of job %s after %d transient failures with SPILLWAY_MAX_ATTEMPTS=%d (jobs row: %s)", job.jobId(), attemptsMade, maxAttempts, jobRow(job.jobId()))
          .isEqualTo("DEAD_LETTERED");
      assertThat(attemptsMade).as("attempts the worker made").isEqualTo(maxAttempts);
      assertThat(queryLong("SELECT attempts FROM jobs WHERE job_id = ?", job.jobId())).as("jobs.attempts").isEqualTo(maxAttempts);
      assertThat(ledgerEntries(List.of(job.jobId()))).as("ledger entries of a dead-lettered payment").isZero();

      ConsumerRecord<byte[], byte[]> dead = await().atMost(Duration.ofSeconds(10))
          .until(() -> recordsOfJob(topics, topics.dlq().name(), job.jobId()), l -> !l.isEmpty()).getFirst();
      assertThat(SpillwayHeaders.text(dead.headers(), SpillwayHeaders.ERROR_CODE)).as("error code header").hasValueSatisfying(v -> assertThat(v).isNotBlank());
      assertThat(SpillwayHeaders.text(dead.headers(), SpillwayHeaders.ERROR_MESSAGE)).as("error message header").hasValueSatisfying(v -> assertThat(v).isNotBlank());
      assertThat(SpillwayHeaders.text(dead.headers(), SpillwayHeaders.ERROR_CLASS)).as("error class header").hasValue("transient");
      assertThat(SpillwayHeaders.text(dead.headers(), SpillwayHeaders.SOURCE_TOPIC)).as("source topic header").hasValue(topics.payment().name());
    } finally {
      clearFault(account);
    }
  }

  /**
   * PostgreSQL unreachable mid-run: while it is cut, the jobs produced meanwhile stay unfinished
   * and the committed offsets stand still, with few (backed-off) attempts rather than a busy loop;
   * once it is back, every job is SUCCEEDED and has exactly one ledger entry, and the running
   * totals moved exactly once per approved payment.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void whilePostgresIsUnreachableConsumptionPausesAndAfterItReturnsEveryJobCompletesExactlyOnce() throws Exception {
    Topics topics = ownTopics("pgcut");
    List<String> accounts = List.of("acc-cut-a-" + UUID.randomUUID(), "acc-cut-b-" + UUID.randomUUID(), "acc-cut-c-" + UUID.randomUUID());
    int consumers = 2;
    try (PgProxy proxy = PgProxy.to(stack.pgUrl());
        Workers workers = startWorkers(topics, Map.of(WorkersConfig.CONSUMERS, String.valueOf(consumers), WorkersConfig.TYPES, "payment"), proxy.jdbcUrl())) {
      awaitStableAssignment(topics.payment(), consumers);
      List<String> before = new ArrayList<>();
      for (int i = 0; i < 9; i++) {
        JobEnvelope job = payment(accounts.get(i % accounts.size()), 100 + i);
        before.add(job.jobId());
        sendAsync(topics.payment(), job);
      }
      producer.flush();
      for (String id : before) {
        awaitStatus(id, "SUCCEEDED", Duration.ofSeconds(30));
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> committed(topics.payment()) == before.size());

      proxy.cut();
      double failuresAtCut = dbFailures(workers);
      List<String> during = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        JobEnvelope job = payment(accounts.get(i % accounts.size()), 200 + i);
        during.add(job.jobId());
        sendAsync(topics.payment(), job);
      }
      producer.flush();
      long windowStart = System.nanoTime();

      await().during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
        assertThat(terminalCount(during)).as("jobs in a terminal state while PostgreSQL is unreachable").isZero();
        assertThat(committed(topics.payment())).as("committed offsets of %s while PostgreSQL is unreachable", Workers.groupId(JobType.PAYMENT))
            .isEqualTo(before.size());
      });
      double attemptsWhileCut = dbFailures(workers) - failuresAtCut;
      double windowSeconds = (System.nanoTime() - windowStart) / 1e9;
      assertThat(attemptsWhileCut).as("failed batch attempts while cut (the cut really was hit)").isPositive();
      // backoff from 1 s doubling: at most 1 + log2(window + 1) attempts per consumer; a busy loop would make hundreds
      assertThat(attemptsWhileCut).as("failed batch attempts in %.1f s with %d consumers (no busy loop)", windowSeconds, consumers)
          .isLessThanOrEqualTo(consumers * (1 + Math.ceil(Math.log(windowSeconds + 1) / Math.log(2))));

      proxy.restore();

      for (String id : during) {
        awaitStatus(id, "SUCCEEDED", Duration.ofSeconds(40));
      }
      List<String> all = new ArrayList<>(before);
      all.addAll(during);
      await().atMost(Duration.ofSeconds(10)).until(() -> committed(topics.payment()) == all.size());
      assertThat(ledgerEntries(all)).as("ledger entries of the %d jobs", all.size()).isEqualTo(all.size());
      assertThat(queryLong("SELECT count(*) FROM jobs WHERE status = 'SUCCEEDED' AND job_id = ANY(?)", all)).isEqualTo(all.size());
      for (String account : accounts) {
        assertThat(queryLong("SELECT total_minor FROM account_totals WHERE account_id = ?", account))
            .as("running total of %s", account)
            .isEqualTo(queryLong("SELECT coalesce(sum(amount_minor), 0) FROM payment_ledger WHERE account_id = ? AND decision = 'APPROVED'", account));
      }
    }
  }

  /**
   * A rebalance while consumption is paused for PostgreSQL: a worker that backs off while
   * PostgreSQL answers "cannot connect now" and meanwhile takes over the partitions of a worker
   * leaving the group processes their jobs once PostgreSQL recovers; records fetched from newly
   * assigned partitions during the pause are not skipped.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void partitionsTakenOverWhilePausedForPostgresAreNotSkipped() throws Exception {
    Topics topics = ownTopics("rebalance");
    String account = "acc-rebalance-" + UUID.randomUUID();
    String hits = injectOutageFault(account);
    try (Workers staying = startWorkers(topics, ONE_PAYMENT_CONSUMER, stack.pgUrl())) {
      String stayingMember = await().atMost(Duration.ofSeconds(20)).until(() -> assignment(PAYMENT_GROUP, topics.payment()),
          a -> a.size() == 1 && a.values().iterator().next().size() == topics.payment().partitions()).keySet().iterator().next();
      Workers leaving = startWorkers(topics, ONE_PAYMENT_CONSUMER, stack.pgUrl());
      try {
        Map<String, List<Integer>> shared = await().atMost(Duration.ofSeconds(20)).until(() -> assignment(PAYMENT_GROUP, topics.payment()),
            a -> a.size() == 2 && a.containsKey(stayingMember) && a.values().stream().mapToInt(List::size).sum() == topics.payment().partitions());
        int stayingPartition = shared.get(stayingMember).getFirst();
        List<Integer> leavingPartitions = shared.entrySet().stream().filter(e -> !e.getKey().equals(stayingMember)).findFirst().orElseThrow().getValue();

        JobEnvelope blocked = payment(account, 150);
        sendTo(topics.payment(), stayingPartition, blocked);
        // the backoff after failures 1, 2, 3, 4 is 1 s, 2 s, 4 s, 8 s: the takeover below lands inside the 8 s pause
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> sequenceValue(hits) >= 4);
        leaving.close();
        leaving = null;
        List<String> takenOver = new ArrayList<>();
        for (int p : leavingPartitions) {
          JobEnvelope job = payment("acc-rb-" + UUID.randomUUID(), 160);
          takenOver.add(job.jobId());
          sendTo(topics.payment(), p, job);
        }
        await().atMost(Duration.ofSeconds(6)).until(() -> assignment(PAYMENT_GROUP, topics.payment()),
            a -> a.size() == 1 && a.containsKey(stayingMember) && a.get(stayingMember).size() == topics.payment().partitions());
        assertThat(status(blocked.jobId())).as("status of the job whose PostgreSQL writes keep failing").isNotIn(TERMINAL);
        clearFault(account);

        awaitStatus(blocked.jobId(), "SUCCEEDED", Duration.ofSeconds(20));
        List<String> later = new ArrayList<>();
        for (int p : leavingPartitions) {
          JobEnvelope job = payment("acc-rb-" + UUID.randomUUID(), 170);
          later.add(job.jobId());
          sendTo(topics.payment(), p, job);
        }
        for (String id : later) {
          awaitStatus(id, "SUCCEEDED", Duration.ofSeconds(20));
        }
        // each taken-over job precedes a now SUCCEEDED job on its partition
        assertThat(queryLong("SELECT count(*) FROM jobs WHERE status = 'SUCCEEDED' AND job_id = ANY(?)", takenOver))
            .as("SUCCEEDED jobs of the %d produced to partitions %s while they moved to the paused worker (committed offsets now %s)",
                takenOver.size(), leavingPartitions, committedByPartition(topics.payment()))
            .isEqualTo(takenOver.size());
        assertThat(ledgerEntries(takenOver)).as("ledger entries of the taken-over jobs").isEqualTo(takenOver.size());
      } finally {
        if (leaving != null) {
          leaving.close();
        }
      }
    } finally {
      clearFault(account);
    }
  }

  /**
   * A rebalance held open by a slow batch: while a third worker joins and the group waits for the
   * worker stuck in its batch, the other worker keeps consuming its partitions (a cooperative
   * rebalance lets it) and every offset commit it tries is refused. Once the rebalance ends it keeps
   * some of those partitions, already read to their end: their offsets must still be committed —
   * no later record would carry them — or their lag never drains and a restart redelivers them.
   */
  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void offsetsRefusedDuringARebalanceAreCommittedOnceItEnds() throws Exception {
    Topics topics = ownTopics("commit");
    String slowAccount = "acc-slow-" + UUID.randomUUID();
    String hits = injectDelay(slowAccount, Duration.ofSeconds(12));
    try (Workers first = startWorkers(topics, ONE_PAYMENT_CONSUMER, stack.pgUrl()); Workers second = startWorkers(topics, ONE_PAYMENT_CONSUMER, stack.pgUrl())) {
      awaitStableAssignment(topics.payment(), 2);
      List<List<Integer>> owned = List.copyOf(assignment(PAYMENT_GROUP, topics.payment()).values());
      List<Integer> stuckWorkersPartitions = owned.get(0);
      List<Integer> busyWorkersPartitions = owned.get(1);
      Map<Integer, Long> sentByPartition = new java.util.TreeMap<>();
      List<String> jobIds = new ArrayList<>();
      JobEnvelope slow = payment(slowAccount, 100);
      sendTo(topics.payment(), stuckWorkersPartitions.getFirst(), slow);
      jobIds.add(slow.jobId());
      sentByPartition.put(stuckWorkersPartitions.getFirst(), 1L);
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> sequenceValue(hits) >= 1);

      try (Workers third = startWorkers(topics, ONE_PAYMENT_CONSUMER, stack.pgUrl())) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
            .until(() -> describeGroup(PAYMENT_GROUP).groupState() == org.apache.kafka.common.GroupState.PREPARING_REBALANCE);
        // the busy worker learns of the rebalance at its next heartbeat (every 3 s, as Workers sets
        // it) and rejoins, and only from then on are its commits refused: its jobs arrive after that
        Thread.sleep(4500);
        for (int p : busyWorkersPartitions) {
          JobEnvelope job = payment("acc-commit-" + UUID.randomUUID(), 100 + p);
          sendTo(topics.payment(), p, job);
          jobIds.add(job.jobId());
          sentByPartition.put(p, 1L);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> terminalCount(jobIds.subList(1, jobIds.size())) == jobIds.size() - 1);
        assertThat(status(slow.jobId())).as("the slow job, still holding the rebalance open once the others are done").isNotIn(TERMINAL);

        await().atMost(Duration.ofSeconds(40)).until(() -> terminalCount(jobIds) == jobIds.size());
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250))
            .untilAsserted(() -> assertThat(committedByPartition(topics.payment())).as("committed offsets by partition, once every job is terminal")
                .isEqualTo(sentByPartition));
        assertThat(ledgerEntries(jobIds)).as("ledger entries of the %d payments", jobIds.size()).isEqualTo(jobIds.size());
        assertThat(paymentCounter(first, "spillway_worker_commits_deferred_total") + paymentCounter(second, "spillway_worker_commits_deferred_total"))
            .as("offset commits the rebalance refused (what this test is about)").isPositive();
      }
    } finally {
      clearFault(slowAccount);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // workers, jobs and Kafka

  private Topics ownTopics(String name) {
    Topics topics = Topics.withPrefix("workers-failure-it-" + name + "-" + UUID.randomUUID().toString().substring(0, 8) + ".");
    stack.createTopics(topics);
    return topics;
  }

  private Workers startWorkers(Topics topics, Map<String, String> settings, String pgUrl) {
    Map<String, String> env = new HashMap<>(stack.env());
    env.put(SpillwayEnv.TOPIC_PREFIX, topics.prefix());
    env.put(SpillwayEnv.METRICS_PORT, "0");
    env.put(SpillwayEnv.PG_URL, pgUrl);
    env.putAll(settings);
    return Workers.start(WorkersConfig.fromEnv(new SpillwayEnv(env)));
  }

  /** Waits until the payment consumers share every partition of the topic, so that no partition moves mid-test. */
  private void awaitStableAssignment(Topic<String, JobEnvelope> topic, int consumers) {
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> assignment(Workers.groupId(JobType.PAYMENT), topic),
        a -> a.size() == consumers && a.values().stream().mapToInt(List::size).sum() == topic.partitions());
  }

  private static JobEnvelope payment(String account, long amountMinor) {
    return JobEnvelope.first("it-" + UUID.randomUUID(), "acme", Instant.now(), new PaymentInput(account, amountMinor, "EUR", "m-1"));
  }

  private void send(Topic<String, JobEnvelope> topic, JobEnvelope job) throws Exception {
    RecordHeaders headers = new RecordHeaders();
    byte[] value = topic.valueSerde().serializer().serialize(topic.name(), headers, job);
    producer.send(new ProducerRecord<>(topic.name(), null, job.key(), value, headers)).get(30, TimeUnit.SECONDS);
  }

  private void sendAsync(Topic<String, JobEnvelope> topic, JobEnvelope job) {
    RecordHeaders headers = new RecordHeaders();
    byte[] value = topic.valueSerde().serializer().serialize(topic.name(), headers, job);
    producer.send(new ProducerRecord<>(topic.name(), null, job.key(), value, headers));
  }

  private void sendTo(Topic<String, JobEnvelope> topic, int partition, JobEnvelope job) throws Exception {
    RecordHeaders headers = new RecordHeaders();
    byte[] value = topic.valueSerde().serializer().serialize(topic.name(), headers, job);
    producer.send(new ProducerRecord<>(topic.name(), partition, job.key(), value, headers)).get(30, TimeUnit.SECONDS);
  }

  /** The group's members with their partitions of the topic (members without any are left out). */
  private Map<String, List<Integer>> assignment(String group, Topic<String, JobEnvelope> topic) throws Exception {
    Map<String, List<Integer>> byMember = new HashMap<>();
    describeGroup(group).members().forEach(m -> {
      List<Integer> mine = m.assignment().topicPartitions().stream().filter(tp -> tp.topic().equals(topic.name())).map(TopicPartition::partition).sorted().toList();
      if (!mine.isEmpty()) {
        byMember.put(m.consumerId(), mine);
      }
    });
    return byMember;
  }

  private org.apache.kafka.clients.admin.ConsumerGroupDescription describeGroup(String group) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
      return admin.describeConsumerGroups(List.of(group)).all().get(10, TimeUnit.SECONDS).get(group);
    }
  }

  private Map<Integer, Long> committedByPartition(Topic<String, JobEnvelope> topic) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
      Map<Integer, Long> result = new java.util.TreeMap<>();
      admin.listConsumerGroupOffsets(Workers.groupId(JobType.PAYMENT)).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS).forEach((tp, om) -> {
        if (tp.topic().equals(topic.name()) && om != null) {
          result.put(tp.partition(), om.offset());
        }
      });
      return result;
    }
  }

  /** Every record now on a topic, read from the beginning up to the current end offsets. */
  private List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
    List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
    try (var consumer = new KafkaConsumer<>(Map.<String, Object>of("bootstrap.servers", stack.kafkaBootstrap()), new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("could not read " + topic + " up to " + end);
        }
        consumer.poll(Duration.ofMillis(200)).forEach(found::add);
      }
    }
    return found;
  }

  /** The records of a topic whose value is the envelope of the job. */
  private List<ConsumerRecord<byte[], byte[]>> recordsOfJob(Topics topics, String topic, String jobId) {
    return readAll(topic).stream()
        .filter(r -> topics.payment().valueSerde().decode(r.value(), r.headers()) instanceof DecodeResult.Ok<JobEnvelope> ok && ok.value().jobId().equals(jobId))
        .toList();
  }

  /** The job's lifecycle events once its terminal one has arrived (events are sent fire-and-forget). */
  private List<LifecycleEvent> awaitTerminalEvent(Topics topics, String jobId) {
    return await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(300)).until(() -> {
      List<LifecycleEvent> events = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> r : readAll(topics.events().name())) {
        if (topics.events().valueSerde().decode(r.value(), r.headers()) instanceof DecodeResult.Ok<LifecycleEvent> ok && ok.value().jobId().equals(jobId)) {
          events.add(ok.value());
        }
      }
      return events;
    }, events -> events.stream().anyMatch(e -> e.status().isTerminal()));
  }

  private static String describe(List<LifecycleEvent> events) {
    return events.stream().map(e -> e.status() + "@attempt" + e.attempt()).toList().toString();
  }

  /** The sum of the payment group's committed offsets on a topic. */
  private long committed(Topic<String, JobEnvelope> topic) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
      Map<TopicPartition, OffsetAndMetadata> offsets =
          admin.listConsumerGroupOffsets(Workers.groupId(JobType.PAYMENT)).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
      return offsets.entrySet().stream()
          .filter(e -> e.getKey().topic().equals(topic.name()) && e.getValue() != null)
          .mapToLong(e -> e.getValue().offset())
          .sum();
    }
  }

  /** {@code spillway_worker_db_failures_total{type="payment"}} from the worker's /metrics. */
  private static double dbFailures(Workers workers) throws Exception {
    return paymentCounter(workers, "spillway_worker_db_failures_total");
  }

  /** A payment counter, {@code name{type="payment"}}, from the worker's /metrics. */
  private static double paymentCounter(Workers workers, String name) throws Exception {
    try (HttpClient http = HttpClient.newHttpClient()) {
      String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + workers.metricsPort() + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      Matcher m = Pattern.compile("(?m)^" + name + "\\{type=\"payment\",?\\} (\\S+)$").matcher(body);
      if (!m.find()) {
        throw new AssertionError("no payment counter " + name + " on /metrics");
      }
      return Double.parseDouble(m.group(1));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // PostgreSQL: faults and queries (always straight to the real server, never through the proxy)

  /**
   * Makes the first {@code times} ledger inserts for the account (all when negative) fail with a
   * serialization failure, which the worker retries through {@code jobs.retry}.
   */
  private String injectTransientFault(String account, int times) throws Exception {
    return injectFault(account, times, "40001");
  }

  /**
   * Makes every ledger insert for the account fail with SQLSTATE 57P03 (cannot connect now: the
   * server is starting), which the worker takes for PostgreSQL being unavailable: it pauses
   * consumption and backs off rather than retrying the job.
   */
  private String injectOutageFault(String account) throws Exception {
    return injectFault(account, -1, "57P03");
  }

  /** Makes every ledger insert for the account wait {@code delay} first, and succeed. */
  private String injectDelay(String account, Duration delay) throws Exception {
    String hits = injectFault(account, 0, "00000");
    try (Connection c = stack.pgConnection(); PreparedStatement s = c.prepareStatement("UPDATE " + FAULTS + " SET delay_ms = ? WHERE account_id = ?")) {
      s.setInt(1, (int) delay.toMillis());
      s.setString(2, account);
      s.executeUpdate();
    }
    return hits;
  }

  /** Returns the name of a sequence that counts the account's ledger insert attempts. */
  private String injectFault(String account, int times, String sqlstate) throws Exception {
    String hits = "workers_failure_it_hits_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection c = stack.pgConnection(); Statement s = c.createStatement();
        PreparedStatement insert = c.prepareStatement("INSERT INTO " + FAULTS + " (account_id, fail_first, hits, sqlstate) VALUES (?, ?, ?, ?)")) {
      s.execute("CREATE SEQUENCE " + hits);
      insert.setString(1, account);
      insert.setInt(2, times);
      insert.setString(3, hits);
      insert.setString(4, sqlstate);
      insert.executeUpdate();
    }
    return hits;
  }

  private void clearFault(String account) throws Exception {
    try (Connection c = stack.pgConnection(); PreparedStatement s = c.prepareStatement("DELETE FROM " + FAULTS + " WHERE account_id = ?")) {
      s.setString(1, account);
      s.executeUpdate();
    }
  }

  /** How often the sequence was drawn: the number of ledger insert attempts. */
  private long sequenceValue(String sequence) throws Exception {
    try (Connection c = stack.pgConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM " + sequence)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private String status(String jobId) throws Exception {
    return queryString("SELECT status FROM jobs WHERE job_id = ?", jobId);
  }

  private String jobRow(String jobId) throws Exception {
    return queryString("SELECT row_to_json(j)::text FROM (SELECT status, attempts, error FROM jobs WHERE job_id = ?) j", jobId);
  }

  private void awaitStatus(String jobId, String status, Duration atMost) {
    await().atMost(atMost).pollInterval(Duration.ofMillis(100))
        .untilAsserted(() -> assertThat(status(jobId)).as("status of job %s", jobId).isEqualTo(status));
  }

  private long terminalCount(List<String> jobIds) throws Exception {
    return queryLong("SELECT count(*) FROM jobs WHERE status IN ('SUCCEEDED', 'FAILED', 'DEAD_LETTERED') AND job_id = ANY(?)", jobIds);
  }

  private long ledgerEntries(List<String> jobIds) throws Exception {
    return queryLong("SELECT count(*) FROM payment_ledger WHERE job_id = ANY(?)", jobIds);
  }

  private String queryString(String sql, Object arg) throws Exception {
    try (Connection c = stack.pgConnection(); PreparedStatement s = c.prepareStatement(sql)) {
      if (arg instanceof List<?> list) {
        s.setArray(1, c.createArrayOf("text", list.toArray()));
      } else {
        s.setString(1, (String) arg);
      }
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private long queryLong(String sql, Object arg) throws Exception {
    String value = queryString(sql, arg);
    return value == null ? -1 : Long.parseLong(value);
  }

  /**
   * A TCP forwarder in front of the real PostgreSQL that can be cut — listener closed, every live
   * connection reset — and restored on the same port, so the worker's JDBC URL stays the same.
   */
  static final class PgProxy implements AutoCloseable {

    private static final Pattern JDBC = Pattern.compile("jdbc:postgresql://([^/:?]+)(?::(\\d+))?(/.*)");

    private final InetSocketAddress target;
    private final String pathAndQuery;
    private final int port = Ports.free();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private ServerSocket server;

    private PgProxy(InetSocketAddress target, String pathAndQuery) {
      this.target = target;
      this.pathAndQuery = pathAndQuery;
    }

    static PgProxy to(String jdbcUrl) throws IOException {
      Matcher m = JDBC.matcher(jdbcUrl);
      if (!m.matches()) {
        throw new IllegalArgumentException("not a PostgreSQL JDBC URL: " + jdbcUrl);
      }
      PgProxy proxy = new PgProxy(new InetSocketAddress(m.group(1), m.group(2) == null ? 5432 : Integer.parseInt(m.group(2))), m.group(3));
      proxy.restore();
      return proxy;
    }

    String jdbcUrl() {
      return "jdbc:postgresql://127.0.0.1:" + port + pathAndQuery;
    }

    /** Listens again on the same port. */
    synchronized void restore() throws IOException {
      if (server != null) {
        return;
      }
      ServerSocket s = new ServerSocket();
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      server = s;
      Thread.ofVirtual().name("pg-proxy-accept").start(() -> accept(s));
    }

    /** Stops listening (new connections are refused) and resets every open connection. */
    synchronized void cut() throws IOException {
      if (server == null) {
        return;
      }
      server.close();
      server = null;
      for (Socket socket : sockets) {
        closeAbruptly(socket);
      }
      sockets.clear();
    }

    private void accept(ServerSocket s) {
      while (!s.isClosed()) {
        Socket client;
        try {
          client = s.accept();
        } catch (IOException closed) {
          return;
        }
        Socket upstream = new Socket();
        try {
          upstream.connect(target, 3000);
        } catch (IOException e) {
          closeAbruptly(client);
          continue;
        }
        sockets.add(client);
        sockets.add(upstream);
        synchronized (this) {
          if (server != s) { // cut while connecting
            closeAbruptly(client);
            closeAbruptly(upstream);
            continue;
          }
        }
        Thread.ofVirtual().start(() -> pump(client, upstream));
        Thread.ofVirtual().start(() -> pump(upstream, client));
      }
    }

    private void pump(Socket from, Socket to) {
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        in.transferTo(out);
      } catch (IOException ignored) {
        // one side closed or was reset
      } finally {
        closeAbruptly(from);
        closeAbruptly(to);
      }
    }

    private void closeAbruptly(Socket socket) {
      sockets.remove(socket);
      try {
        socket.setSoLinger(true, 0);
      } catch (IOException ignored) {
        // already closed
      }
      try {
        socket.close();
      } catch (IOException ignored) {
        // already closed
      }
    }

    @Override
    public void close() throws IOException {
      cut();
    }
  }
}

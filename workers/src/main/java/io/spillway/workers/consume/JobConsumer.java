package io.spillway.workers.consume;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.spillway.schemas.DecodeResult;
import io.spillway.schemas.JobEnvelope;
import io.spillway.schemas.JobStatus;
import io.spillway.schemas.JobType;
import io.spillway.schemas.JobView;
import io.spillway.schemas.Json;
import io.spillway.schemas.LifecycleEvent;
import io.spillway.schemas.RedisKeys;
import io.spillway.schemas.Topic;
import io.spillway.workers.sink.JobRows;
import io.spillway.workers.sink.Publisher;
import io.spillway.workers.sink.RedisSink;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One poll loop of one job type. Each poll is a batch: decode (malformed records go to the DLQ at
 * once), mark RUNNING, process in one PostgreSQL transaction together with the job rows, then
 * Redis, events, retries and dead letters, and only then commit the offsets. When PostgreSQL
 * fails, the partitions are paused and rewound and the batch is retried with a growing backoff —
 * no record is skipped, no loop spins. Stop it with {@link #close()} from another thread.
 */
public final class JobConsumer implements Runnable, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(JobConsumer.class);

  /** What a consumer needs besides its Kafka consumer. */
  public record Sinks(DataSource db, RedisSink redis, Publisher publisher, JobRows rows) {}

  /**
   * Retry and TTL policy.
   *
   * @param haltTrigger fault injection for drills, null in production: when this file appears, the
   *     worker halts right after its next PostgreSQL commit, before the offset commit
   */
  public record Policy(int maxAttempts, Duration retryBackoff, Duration jobTtl, java.nio.file.Path haltTrigger) {}

  private final KafkaConsumer<String, byte[]> consumer;
  private final JobType type;
  private final Topic<String, JobEnvelope> topic;
  private final JobProcessor processor;
  private final Sinks sinks;
  private final Policy policy;
  private final Clock clock;
  private final MeterRegistry meters;
  private final Timer batchTimer;
  private final Timer processingTimer;
  private final Map<JobStatus, io.micrometer.core.instrument.Counter> jobsByOutcome = new java.util.EnumMap<>(JobStatus.class);
  private final KeyLanes lanes;
  private final DurableOffsets offsets;
  private volatile boolean closed;
  private volatile boolean assigned;
  /** True while PostgreSQL is out: partitions the group assigns meanwhile are paused at once. */
  private boolean pausing;

  /**
   * @param processing the instance's processing threads, shared by its consumers; a batch is split
   *     into {@code lanes} key-ordered lanes run at once on them (null: every lane on this thread)
   */
  public JobConsumer(KafkaConsumer<String, byte[]> consumer, JobType type, Topic<String, JobEnvelope> topic, JobProcessor processor,
      Sinks sinks, Policy policy, Clock clock, MeterRegistry meters, java.util.concurrent.ExecutorService processing, int lanes) {
    this.consumer = consumer;
    this.type = type;
    this.topic = topic;
    this.processor = processor;
    this.sinks = sinks;
    this.policy = policy;
    this.clock = clock;
    this.meters = meters;
    this.lanes = new KeyLanes(processing, lanes);
    this.offsets = new DurableOffsets(consumer, type.wireName(), meters);
    this.batchTimer = Timer.builder("spillway.worker.batch").tag("type", type.wireName()).publishPercentileHistogram().register(meters);
    this.processingTimer = Timer.builder("spillway.worker.processing").tag("type", type.wireName()).publishPercentileHistogram().register(meters);
    for (JobStatus status : JobStatus.values()) {
      if (status.isTerminal()) {
        jobsByOutcome.put(status, meters.counter("spillway.worker.jobs", "type", type.wireName(), "outcome", status.name()));
      }
    }
  }

  /** Whether the group gave this consumer partitions (or it is polling without any yet). */
  public boolean ready() {
    return assigned;
  }

  @Override
  public void run() {
    try {
      consumer.subscribe(List.of(topic.name()), new org.apache.kafka.clients.consumer.ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(java.util.Collection<TopicPartition> partitions) {
          offsets.revoked(partitions);
          log.info("{} partitions revoked: {}", type.wireName(), partitions);
        }

        @Override
        public void onPartitionsLost(java.util.Collection<TopicPartition> partitions) {
          offsets.lost(partitions);
          log.warn("{} partitions lost (the group moved on without this consumer): {}", type.wireName(), partitions);
        }

        @Override
        public void onPartitionsAssigned(java.util.Collection<TopicPartition> partitions) {
          assigned = true;
          if (pausing) {
            consumer.pause(partitions);
          }
          log.info("{} partitions assigned{}: {}", type.wireName(), pausing ? " (paused: PostgreSQL is unavailable)" : "", partitions);
        }
      });
      Duration backoff = Duration.ofSeconds(1);
      while (!closed) {
        ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
        assigned = true;
        if (records.isEmpty()) {
          offsets.commit(); // what a rebalance refused earlier, if anything
          continue;
        }
        if (handle(records)) {
          backoff = Duration.ofSeconds(1);
        } else {
          pauseAndRewind(records, backoff);
          backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(30)) > 0 ? Duration.ofSeconds(30) : backoff.multipliedBy(2);
        }
      }
    } catch (WakeupException e) {
      if (!closed) {
        throw e;
      }
    } catch (RuntimeException e) {
      log.error("{} consumer stopped on an unexpected error", type.wireName(), e);
      throw e;
    } finally {
      commitBeforeClose();
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /** Processes one batch; false when PostgreSQL failed and the batch must be retried. */
  private boolean handle(ConsumerRecords<String, byte[]> records) {
    long started = System.nanoTime();
    Instant startedAt = clock.instant();
    java.util.Queue<Future<RecordMetadata>> sends = new java.util.concurrent.ConcurrentLinkedQueue<>();
    List<Delivery> deliveries = new ArrayList<>();
    // the source record of each delivery, at the same index
    List<ConsumerRecord<String, byte[]>> sources = new ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (ConsumerRecord<String, byte[]> r : records) {
      switch (topic.valueSerde().decode(r.value(), r.headers())) {
        case DecodeResult.Ok<JobEnvelope> ok -> {
          if (!seen.add(ok.value().jobId())) {
            // a client retry with the same Idempotency-Key: the job runs once
            meters.counter("spillway.worker.duplicates", "type", type.wireName()).increment();
            continue;
          }
          Delivery d = new Delivery(ok.value(), r.topic(), r.partition(), r.offset(), Instant.ofEpochMilli(r.timestamp()), startedAt,
              r.key() != null ? r.key() : ok.value().key());
          deliveries.add(d);
          sources.add(r);
        }
        case DecodeResult.Malformed<JobEnvelope> bad -> {
          log.warn("Malformed record {}-{}@{} sent to the DLQ: {} {}", r.topic(), r.partition(), r.offset(), bad.reason(), bad.detail());
          sends.add(sinks.publisher().deadLetter(r, "MALFORMED_" + bad.reason(), bad.detail(), DecodeResult.Malformed.class.getName()));
        }
      }
    }
    Outcome[] outcomes = new Outcome[deliveries.size()];
    JobRows.Row[] rows = new JobRows.Row[deliveries.size()];
    List<List<Integer>> byLane = lanes.split(deliveries);
    List<SQLException> failures = lanes.runAll(byLane, lane -> {
      markRunning(deliveries, lane);
      writeBatch(deliveries, lane, outcomes, rows);
    });
    for (int l = 0; l < byLane.size(); l++) {
      SQLException e = failures.get(l);
      if (e == null) {
        continue;
      }
      List<Integer> lane = byLane.get(l);
      if (Transience.isOutage(e)) {
        meters.counter("spillway.worker.db.failures", "type", type.wireName()).increment();
        log.warn("PostgreSQL is unavailable for a batch of {} {} jobs; pausing and retrying: {}", deliveries.size(), type.wireName(), e.getMessage());
        return false;
      }
      if (lane.size() == 1) {
        refused(deliveries, lane.getFirst(), e, outcomes, rows, sends, sources);
        continue;
      }
      log.warn("PostgreSQL refused a transaction of {} {} jobs ({}); retrying them one by one", lane.size(), type.wireName(), e.getMessage());
      for (int i : lane) {
        try {
          writeBatch(deliveries, List.of(i), outcomes, rows);
        } catch (SQLException single) {
          if (Transience.isOutage(single)) {
            return false;
          }
          refused(deliveries, i, single, outcomes, rows, sends, sources);
        }
      }
    }

    haltIfTriggered();
    lanes.runAll(byLane, lane -> finish(deliveries, lane, outcomes, rows, sources, sends));
    try {
      Publisher.awaitAll(sends);
    } catch (Exception e) {
      log.warn("A retry or dead letter was not acknowledged; the batch will be redelivered: {}", e.toString());
      return false;
    }
    commit(records);
    batchTimer.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
    return true;
  }

  /**
   * Processes the deliveries at the given indices and upserts their rows in one transaction; fills
   * their outcomes and rows only once it committed.
   */
  private void writeBatch(List<Delivery> all, List<Integer> indices, Outcome[] outcomes, JobRows.Row[] rows) throws SQLException {
    List<Delivery> deliveries = indices.size() == all.size() ? all : indices.stream().map(all::get).toList();
    try (Connection tx = sinks.db().getConnection()) {
      tx.setAutoCommit(false);
      try {
        List<Outcome> done = processor.process(tx, deliveries);
        Instant completedAt = clock.instant();
        List<JobRows.Row> written = new ArrayList<>(deliveries.size());
        for (int i = 0; i < deliveries.size(); i++) {
          written.add(row(deliveries.get(i), done.get(i), completedAt));
        }
        sinks.rows().upsert(tx, written);
        tx.commit();
        for (int i = 0; i < indices.size(); i++) {
          outcomes[indices.get(i)] = done.get(i);
          rows[indices.get(i)] = written.get(i);
        }
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(tx);
        throw e;
      }
    }
  }

  /**
   * A job whose own transaction failed on a reachable database: a transient error (serialization
   * failure, deadlock, lock or statement timeout) becomes a retry through {@code jobs.retry} — or
   * a dead letter after the last attempt — and any other error fails the job and copies it to the
   * DLQ. Its row is recorded on its own.
   */
  private void refused(List<Delivery> deliveries, int index, SQLException e, Outcome[] outcomes, JobRows.Row[] rows,
      java.util.Queue<Future<RecordMetadata>> sends, List<ConsumerRecord<String, byte[]>> sources) {
    Delivery d = deliveries.get(index);
    String message = String.valueOf(e.getMessage());
    Outcome outcome;
    if (Transience.isTransient(e)) {
      log.warn("Job {} attempt {} of {} failed transiently (SQLSTATE {}): {}", d.job().jobId(), d.job().attempt(), policy.maxAttempts(), e.getSQLState(), message);
      outcome = new Outcome.Retry(new io.spillway.schemas.JobError("TRANSIENT_" + e.getSQLState(), message));
    } else {
      log.error("PostgreSQL refused job {}; failing it and copying it to the DLQ: {}", d.job().jobId(), message);
      outcome = new Outcome.Failed(new io.spillway.schemas.JobError("DB_REJECTED", message));
      sends.add(sinks.publisher().deadLetter(sources.get(index), "DB_REJECTED", message, e.getClass().getName()));
    }
    JobRows.Row row = row(d, outcome, clock.instant());
    recordAlone(row);
    outcomes[index] = outcome;
    rows[index] = row;
  }

  /** Records one job's row on its own, after its processing was refused. */
  private void recordAlone(JobRows.Row row) {
    try (Connection tx = sinks.db().getConnection()) {
      tx.setAutoCommit(false);
      try {
        sinks.rows().upsert(tx, List.of(row));
        tx.commit();
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(tx);
        throw e;
      }
    } catch (SQLException e) {
      log.error("Cannot record job {} in PostgreSQL either: {}", row.view().jobId(), e.getMessage());
    }
  }

  /** The drills' precise crash: after the database write, before the offset commit. */
  private void haltIfTriggered() {
    if (policy.haltTrigger() == null) {
      return;
    }
    try {
      if (java.nio.file.Files.deleteIfExists(policy.haltTrigger())) {
        log.error("Halting after a PostgreSQL commit, before the offset commit, as {} asked", policy.haltTrigger());
        Runtime.getRuntime().halt(137);
      }
    } catch (java.io.IOException e) {
      log.warn("Cannot read the halt trigger {}: {}", policy.haltTrigger(), e.getMessage());
    }
  }

  /** Marks a lane's jobs RUNNING: their Redis views in one pipeline, and one event each. */
  private void markRunning(List<Delivery> deliveries, List<Integer> lane) {
    Map<String, byte[]> running = new HashMap<>(lane.size() * 2);
    for (int i : lane) {
      Delivery d = deliveries.get(i);
      JobEnvelope job = d.job();
      JobView view = new JobView(job.jobId(), job.tenant(), job.type(), JobStatus.RUNNING, null, null, job.submittedAt(), d.startedAt(), null, job.attempt());
      running.put(RedisKeys.job(job.jobId()), Json.bytes(view));
      sinks.publisher().event(new LifecycleEvent(job.jobId(), job.tenant(), job.type(), JobStatus.RUNNING, job.attempt(), job.submittedAt(),
          d.enqueuedAt(), d.startedAt(), null, false, null));
    }
    sinks.redis().setAll(running, policy.jobTtl());
  }

  /**
   * After the lane's transaction: its jobs' views to Redis in one pipeline, one event per job that
   * reached a terminal state, and its retries and dead letters (added to {@code sends}, which the
   * offset commit waits for).
   */
  private void finish(List<Delivery> deliveries, List<Integer> lane, Outcome[] outcomes, JobRows.Row[] rows,
      List<ConsumerRecord<String, byte[]>> sources, java.util.Queue<Future<RecordMetadata>> sends) {
    Map<String, byte[]> views = new HashMap<>(lane.size() * 2);
    for (int i : lane) {
      Delivery d = deliveries.get(i);
      JobView v = rows[i].view();
      views.put(RedisKeys.job(v.jobId()), Json.bytes(v));
      Outcome o = outcomes[i];
      if (o instanceof Outcome.Retry retry) {
        if (v.status() == JobStatus.DEAD_LETTERED) {
          sends.add(sinks.publisher().deadLetter(sources.get(i), retry.error().code(), retry.error().message(), "transient"));
        } else {
          long delay = backoff(d.job().attempt());
          log.debug("Job {} retry {} of {} in {} ms: {}", d.job().jobId(), d.job().attempt(), policy.maxAttempts(), delay, retry.error().message());
          meters.counter("spillway.worker.retries", "type", type.wireName()).increment();
          sends.add(sinks.publisher().retry(d.job().nextAttempt(), sources.get(i), clock.millis() + delay));
        }
      }
      if (v.status().isTerminal()) {
        jobsByOutcome.get(v.status()).increment();
        sinks.publisher().event(event(d, v, o instanceof Outcome.Succeeded s && s.cacheHit()));
        processingTimer.record(Duration.between(d.startedAt(), v.completedAt()));
      }
    }
    sinks.redis().setAll(views, policy.jobTtl());
  }

  private JobRows.Row row(Delivery d, Outcome outcome, Instant completedAt) {
    return new JobRows.Row(view(d, outcome, completedAt), d.job().payload(), d.enqueuedAt());
  }

  private JobView view(Delivery d, Outcome outcome, Instant completedAt) {
    JobEnvelope job = d.job();
    // the result as a node that holds the record itself: written straight from it, to Redis and to
    // the jobs row, rather than first copied into a tree that is then written twice
    return switch (outcome) {
      case Outcome.Succeeded s -> new JobView(job.jobId(), job.tenant(), job.type(), JobStatus.SUCCEEDED,
          Json.mapper().getNodeFactory().pojoNode(s.result()), null, job.submittedAt(), d.startedAt(), completedAt, job.attempt());
      case Outcome.Failed f -> new JobView(job.jobId(), job.tenant(), job.type(), JobStatus.FAILED, null, f.error(),
          job.submittedAt(), d.startedAt(), completedAt, job.attempt());
      case Outcome.Retry r -> job.attempt() >= policy.maxAttempts()
          ? new JobView(job.jobId(), job.tenant(), job.type(), JobStatus.DEAD_LETTERED, null, r.error(), job.submittedAt(), d.startedAt(), completedAt, job.attempt())
          : new JobView(job.jobId(), job.tenant(), job.type(), JobStatus.QUEUED, null, r.error(), job.submittedAt(), d.startedAt(), null, job.attempt());
    };
  }

  private static LifecycleEvent event(Delivery d, JobView v, boolean cacheHit) {
    return new LifecycleEvent(v.jobId(), v.tenant(), v.type(), v.status(), v.attempts(), v.submittedAt(), d.enqueuedAt(), d.startedAt(),
        v.completedAt(), cacheHit, v.error() == null ? null : v.error().code());
  }

  /** Exponential backoff with full jitter: base × 2^(attempt−1), then a random share of it. */
  long backoff(int attempt) {
    long ceiling = policy.retryBackoff().toMillis() << Math.min(attempt - 1, 16);
    return ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
  }

  private void commit(ConsumerRecords<String, byte[]> records) {
    offsets.durable(records);
    offsets.commit();
  }

  /** On shutdown: whatever is durable is committed, so that a restart redelivers as little as it can. */
  private void commitBeforeClose() {
    try {
      offsets.commit();
    } catch (org.apache.kafka.common.KafkaException e) {
      log.warn("{} offsets not committed on shutdown; a restart redelivers those records (idempotently): {}", type.wireName(), e.getMessage());
    }
  }

  /**
   * Rewinds the failed batch and waits out the backoff with every partition paused, polling so the
   * group membership stays alive. Partitions assigned meanwhile are paused as they arrive; should a
   * poll still return records, they are rewound too — nothing is skipped.
   */
  private void pauseAndRewind(ConsumerRecords<String, byte[]> records, Duration backoff) {
    rewind(records);
    pausing = true;
    try {
      consumer.pause(consumer.assignment());
      long until = System.nanoTime() + backoff.toNanos();
      while (!closed && System.nanoTime() < until) {
        ConsumerRecords<String, byte[]> stray = consumer.poll(Duration.ofMillis(Math.min(500, Math.max(1, (until - System.nanoTime()) / 1_000_000))));
        if (!stray.isEmpty()) {
          rewind(stray);
          consumer.pause(stray.partitions());
        }
      }
    } finally {
      pausing = false;
    }
    consumer.resume(consumer.assignment());
  }

  private void rewind(ConsumerRecords<String, byte[]> records) {
    for (TopicPartition tp : records.partitions()) {
      if (consumer.assignment().contains(tp)) {
        consumer.seek(tp, records.records(tp).getFirst().offset());
      }
    }
  }

  private static void rollbackQuietly(Connection tx) {
    try {
      tx.rollback();
    } catch (SQLException ignored) {
      // the connection is broken; the pool discards it
    }
  }

  @Override
  public void close() {
    closed = true;
    consumer.wakeup();
  }
}

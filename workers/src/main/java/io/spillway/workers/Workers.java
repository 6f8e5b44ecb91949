package io.spillway.workers;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.spillway.schemas.JobType;
import io.spillway.schemas.Topics;
import io.spillway.workers.consume.JobConsumer;
import io.spillway.workers.consume.JobProcessor;
import io.spillway.workers.consume.RetryForwarder;
import io.spillway.workers.http.MetricsServer;
import io.spillway.workers.payment.PaymentProcessor;
import io.spillway.workers.prediction.LogisticModel;
import io.spillway.workers.prediction.PredictionProcessor;
import io.spillway.workers.sink.JobRows;
import io.spillway.workers.sink.Publisher;
import io.spillway.workers.sink.RedisSink;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running worker instance: the schema migrated, consumers per job type, the retry forwarder and
 * the metrics endpoint, all wired here by hand. {@link #close()} stops the loops (each commits what
 * is durable) and releases every client.
 */
public final class Workers implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Workers.class);

  /** Refreshes the Kafka client meters; one daemon thread for the process. */
  private static final java.util.concurrent.ScheduledExecutorService METRICS_REFRESH =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("kafka-metrics-refresh").factory());

  /** The consumer group of a job type; operators use it with {@code spillway lag} and replay. */
  public static String groupId(JobType type) {
    return "spillway-workers-" + type.wireName();
  }

  private final List<AutoCloseable> loops;
  private final List<Thread> threads;
  private final MetricsServer metrics;
  private final Publisher publisher;
  private final RedisSink redis;
  private final HikariDataSource db;
  private final List<KafkaClientMetrics> clientMetrics;
  private final java.util.concurrent.ExecutorService processing;

  private Workers(List<AutoCloseable> loops, List<Thread> threads, MetricsServer metrics, Publisher publisher, RedisSink redis,
      HikariDataSource db, List<KafkaClientMetrics> clientMetrics, java.util.concurrent.ExecutorService processing) {
    this.loops = loops;
    this.threads = threads;
    this.metrics = metrics;
    this.publisher = publisher;
    this.redis = redis;
    this.db = db;
    this.clientMetrics = clientMetrics;
    this.processing = processing;
  }

  public static Workers start(WorkersConfig config) {
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(meters);
    new JvmGcMetrics().bindTo(meters);
    new ProcessorMetrics().bindTo(meters);
    Flyway.configure().dataSource(config.pgUrl(), config.pgUser(), config.pgPassword()).locations("classpath:db/migration").load().migrate();

    HikariConfig hikari = new HikariConfig();
    hikari.setJdbcUrl(config.pgUrl());
    hikari.setUsername(config.pgUser());
    hikari.setPassword(config.pgPassword());
    hikari.setPoolName("workers");
    // a connection per consumer thread and per processing thread, and two for the refused-job path
    hikari.setMaximumPoolSize(config.consumersPerType() * config.types().size() + config.processingThreads() + 2);
    hikari.setConnectionTimeout(3000);
    hikari.setMetricRegistry(meters);
    hikari.setConnectionInitSql(JobRows.STAGING_TABLE);
    HikariDataSource db = new HikariDataSource(hikari);

    // registered up front so that dashboards and alerts see zeros, not gaps, before the first event
    for (JobType type : config.types()) {
      for (String outcome : List.of("SUCCEEDED", "FAILED", "DEAD_LETTERED")) {
        meters.counter("spillway.worker.jobs", "type", type.wireName(), "outcome", outcome);
      }
      meters.counter("spillway.worker.retries", "type", type.wireName());
      meters.counter("spillway.worker.db.failures", "type", type.wireName());
    }
    meters.counter("spillway.worker.dead.letters", "code", "none");
    Topics topics = Topics.withPrefix(config.topicPrefix());
    RedisSink redis = new RedisSink(config.redis(), meters);
    Publisher publisher = new Publisher(config.kafkaBootstrap(), topics, meters);
    JobConsumer.Sinks sinks = new JobConsumer.Sinks(db, redis, publisher, new JobRows());
    JobConsumer.Policy policy = new JobConsumer.Policy(config.maxAttempts(), config.retryBackoff(), config.jobTtl(), config.haltTrigger());
    Map<JobType, JobProcessor> processors = new HashMap<>();
    processors.put(JobType.PAYMENT, new PaymentProcessor());
    processors.put(JobType.PREDICTION,
        new PredictionProcessor(Map.of("default", LogisticModel.load("default")), redis, config.cacheTtl(), config.inferenceCpu(), meters));

    // key-ordered lanes of every consumer's batches run on these (the consumer thread runs one lane itself)
    java.util.concurrent.ExecutorService processing = config.processingThreads() <= 1 ? null
        : java.util.concurrent.Executors.newFixedThreadPool(config.processingThreads(), Thread.ofPlatform().daemon().name("worker-lane-", 0).factory());
    List<AutoCloseable> loops = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    List<KafkaClientMetrics> clientMetrics = new ArrayList<>();
    List<JobConsumer> consumers = new ArrayList<>();
    for (JobType type : config.types()) {
      for (int i = 0; i < config.consumersPerType(); i++) {
        KafkaConsumer<String, byte[]> consumer = consumer(config.kafkaBootstrap(), groupId(type), type.wireName() + "-" + i);
        // refreshed every 10 s so that the lag of newly assigned partitions shows up quickly
        KafkaClientMetrics km = new KafkaClientMetrics(consumer, List.of(), METRICS_REFRESH, java.time.Duration.ofSeconds(10));
        km.bindTo(meters);
        clientMetrics.add(km);
        JobConsumer loop = new JobConsumer(consumer, type, topics.forType(type), processors.get(type), sinks, policy, Clock.systemUTC(), meters,
            processing, lanes(type, config.processingThreads()));
        consumers.add(loop);
        loops.add(loop);
        threads.add(Thread.ofPlatform().name("worker-" + type.wireName() + "-" + i).start(loop));
      }
    }
    RetryForwarder retry = new RetryForwarder(consumer(config.kafkaBootstrap(), "spillway-workers-retry", "retry"), topics.retry().name(), publisher, Clock.systemUTC());
    loops.add(retry);
    threads.add(Thread.ofPlatform().name("worker-retry").start(retry));
    MetricsServer metrics = new MetricsServer(config.metricsPort(), meters, () -> consumers.stream().allMatch(JobConsumer::ready));
    log.info("Workers running {} with {} consumers per type and {} processing threads (key-ordered lanes per batch: {} for payments, {} for predictions); metrics on port {}",
        config.types(), config.consumersPerType(), config.processingThreads(), lanes(JobType.PAYMENT, config.processingThreads()),
        lanes(JobType.PREDICTION, config.processingThreads()), metrics.port());
    return new Workers(loops, threads, metrics, publisher, redis, db, clientMetrics, processing);
  }

  /**
   * The key-ordered lanes a batch of this type is split into. Payments use every processing thread:
   * their transactions wait on account locks, and more lanes wait side by side. Predictions only
   * compute, so lanes beyond the cores add transactions and Redis round trips without adding work
   * done: at most one lane per core (bench-workers on 2 cores, predictions alone: 6-18% faster with
   * 2 lanes than with 4).
   */
  static int lanes(JobType type, int processingThreads) {
    return type == JobType.PREDICTION ? Math.min(processingThreads, Runtime.getRuntime().availableProcessors()) : processingThreads;
  }

  private static KafkaConsumer<String, byte[]> consumer(String bootstrap, String group, String clientSuffix) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, group + "-" + clientSuffix);
    // offsets are committed by hand, only after the batch is durable in PostgreSQL
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // a new group starts at the beginning: nothing accepted is skipped
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // batches large enough to amortise a transaction, small enough to finish well within the poll interval
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 4000);
    // a frozen or dead worker loses its partitions within seconds, not the default 45 s
    props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
    props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 3_000);
    // a rebalance moves only the partitions that must move
    props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
    return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
  }

  /** The port of the metrics endpoint. */
  public int metricsPort() {
    return metrics.port();
  }

  @Override
  public void close() {
    log.info("Workers stopping");
    for (AutoCloseable loop : loops) {
      try {
        loop.close();
      } catch (Exception e) {
        log.warn("Stopping a consumer: {}", e.toString());
      }
    }
    for (Thread t : threads) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (processing != null) {
      processing.close();
    }
    clientMetrics.forEach(KafkaClientMetrics::close);
    metrics.close();
    publisher.close();
    redis.close();
    db.close();
    log.info("Workers stopped");
  }
}

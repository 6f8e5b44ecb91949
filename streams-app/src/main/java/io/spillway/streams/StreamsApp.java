package io.spillway.streams;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.spillway.schemas.JobType;
import io.spillway.schemas.Topics;
import io.spillway.schemas.WindowStats;
import io.spillway.streams.http.StatsServer;
import io.spillway.streams.topology.StatsTopology;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running streams app: the statistics topology under exactly-once, the gauges of the latest
 * closed window per type, and the HTTP server beside it. {@link #close()} stops both.
 */
public final class StreamsApp implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(StreamsApp.class);

  private final KafkaStreams streams;
  private final StatsServer http;
  private final KafkaStreamsMetrics streamsMetrics;

  private StreamsApp(KafkaStreams streams, StatsServer http, KafkaStreamsMetrics streamsMetrics) {
    this.streams = streams;
    this.http = http;
    this.streamsMetrics = streamsMetrics;
  }

  public static StreamsApp start(StreamsConfig config) {
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Map<JobType, WindowStats> latest = new ConcurrentHashMap<>();
    for (JobType type : JobType.values()) {
      Gauge.builder("spillway.stats.window.throughput", latest, m -> value(m.get(type), WindowStats::throughputPerSecond))
          .tag("type", type.wireName()).description("Jobs/s in the latest closed 1 s window").register(meters);
      Gauge.builder("spillway.stats.window.e2e.p50", latest, m -> value(m.get(type), s -> s.endToEnd().p50() / 1000.0))
          .tag("type", type.wireName()).baseUnit("seconds").description("End-to-end p50 of the latest closed 1 s window").register(meters);
      Gauge.builder("spillway.stats.window.e2e.p99", latest, m -> value(m.get(type), s -> s.endToEnd().p99() / 1000.0))
          .tag("type", type.wireName()).baseUnit("seconds").description("End-to-end p99 of the latest closed 1 s window").register(meters);
      Gauge.builder("spillway.stats.window.error.rate", latest, m -> value(m.get(type), WindowStats::errorRate))
          .tag("type", type.wireName()).description("Error rate of the latest closed 1 s window").register(meters);
    }
    Topics topics = Topics.withPrefix(config.topicPrefix());
    Counter late = Counter.builder("spillway.stats.late.events")
        .description("Events that came after one of their windows had closed (beyond the grace period)").register(meters);
    var topology = StatsTopology.build(topics, eventPartitions(config, topics), config.grace(), config.alerts(), stats -> {
      if ("1s".equals(stats.window())) {
        latest.put(stats.type(), stats);
      }
    }, late::increment);

    Properties props = new Properties();
    props.put(org.apache.kafka.streams.StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
    props.put(org.apache.kafka.streams.StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
    // each closed window is written exactly once, even across crashes
    props.put(org.apache.kafka.streams.StreamsConfig.PROCESSING_GUARANTEE_CONFIG, org.apache.kafka.streams.StreamsConfig.EXACTLY_ONCE_V2);
    props.put(org.apache.kafka.streams.StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
    props.put(org.apache.kafka.streams.StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.threads());
    // an undecodable event is logged and skipped, never a stopped topology
    props.put(org.apache.kafka.streams.StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
    // the monitoring view should follow the pipeline within a second
    props.put(org.apache.kafka.streams.StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 500);
    // the single local broker: internal topics with one replica
    props.put(org.apache.kafka.streams.StreamsConfig.REPLICATION_FACTOR_CONFIG, -1);
    // a first start reads the events already written; windows long closed are dropped as late anyway
    props.put(org.apache.kafka.streams.StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    java.util.concurrent.atomic.AtomicReference<KafkaStreams> holder = new java.util.concurrent.atomic.AtomicReference<>();
    StatsServer http = StatsServer.start(config.statsPort(), holder::get, meters, config.advertisedHost());
    // interactive queries: each instance tells the others where its stats API answers
    props.put(org.apache.kafka.streams.StreamsConfig.APPLICATION_SERVER_CONFIG, config.advertisedHost() + ":" + http.port());
    KafkaStreams streams = new KafkaStreams(topology, props);
    // refreshed every 10 s (not the default minute) so that new thread and task meters show up quickly
    KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams, java.util.List.of(),
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("streams-metrics-refresh").factory()),
        Duration.ofSeconds(10));
    streamsMetrics.bindTo(meters);
    streams.setUncaughtExceptionHandler(e -> {
      log.error("Streams thread failed; replacing it", e);
      return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
    });
    streams.start();
    holder.set(streams);
    log.info("Streams app {} running; stats on port {}", config.applicationId(), http.port());
    return new StreamsApp(streams, http, streamsMetrics);
  }

  /**
   * How many partitions jobs.events has: every one of them must pass a window before it closes. A
   * topic created a moment ago may not be known to the broker's metadata yet; it is asked again
   * for up to 60 s.
   */
  private static int eventPartitions(StreamsConfig config, Topics topics) {
    String name = topics.events().name();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap()))) {
      while (true) {
        try {
          int partitions = admin.describeTopics(java.util.List.of(name)).allTopicNames().get(60, TimeUnit.SECONDS).get(name).partitions().size();
          log.info("{} has {} partitions", name, partitions);
          return partitions;
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
            throw new IllegalStateException("cannot describe " + name + " at " + config.kafkaBootstrap() + ": " + e.getCause().getMessage(), e.getCause());
          }
          log.info("{} is not known to the broker yet; asking again", name);
          Thread.sleep(200);
        }
      }
    } catch (TimeoutException e) {
      throw new IllegalStateException("cannot describe " + name + ": Kafka at " + config.kafkaBootstrap() + " did not answer within 60 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while describing " + name, e);
    }
  }

  private static double value(WindowStats stats, java.util.function.ToDoubleFunction<WindowStats> f) {
    return stats == null ? 0 : f.applyAsDouble(stats);
  }

  /** The port of the stats API. */
  public int port() {
    return http.port();
  }

  @Override
  public void close() {
    http.close();
    streams.close(Duration.ofSeconds(20));
    streamsMetrics.close();
    log.info("Streams app stopped");
  }

}

package io.spillway.schemas;

import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Every topic of the pipeline, defined once. An optional name prefix lets tests and several
 * environments share one cluster ({@code SPILLWAY_TOPIC_PREFIX}).
 *
 * @param payment payment jobs, keyed by account id (per-account order for the ledger)
 * @param prediction prediction jobs, keyed by input hash (identical inputs meet on one partition)
 * @param retry jobs waiting for a delayed redelivery, keyed as their source
 * @param dlq jobs that outlasted their retries or could not be read, keyed as their source
 * @param events job lifecycle events, keyed by job id
 */
public record Topics(
    Topic<String, JobEnvelope> payment,
    Topic<String, JobEnvelope> prediction,
    Topic<String, JobEnvelope> retry,
    Topic<String, JobEnvelope> dlq,
    Topic<String, LifecycleEvent> events,
    String prefix) {

  public static final String PAYMENT = "jobs.payment";
  public static final String PREDICTION = "jobs.prediction";
  public static final String RETRY = "jobs.retry";
  public static final String DLQ = "jobs.dlq";
  public static final String EVENTS = "jobs.events";
  public static final String STATS = "pipeline.stats";
  public static final String ALERTS = "pipeline.alerts";

  public Topics {
    Objects.requireNonNull(prefix, "prefix");
  }

  /** The topics under their plain names. */
  public static Topics defaults() {
    return withPrefix("");
  }

  /** The topics with every name prefixed, e.g. {@code it-42.jobs.payment}. */
  public static Topics withPrefix(String prefix) {
    Serde<String> keys = Serdes.String();
    JsonSerde<JobEnvelope> jobs = new JsonSerde<>(JobEnvelope.class);
    return new Topics(
        new Topic<>(prefix + PAYMENT, 12, keys, jobs),
        new Topic<>(prefix + PREDICTION, 12, keys, jobs),
        new Topic<>(prefix + RETRY, 6, keys, jobs),
        new Topic<>(prefix + DLQ, 3, keys, jobs),
        new Topic<>(prefix + EVENTS, 6, keys, new JsonSerde<>(LifecycleEvent.class)),
        prefix);
  }

  /** The job topic of a type. */
  public Topic<String, JobEnvelope> forType(JobType type) {
    return switch (type) {
      case PAYMENT -> payment;
      case PREDICTION -> prediction;
    };
  }

  /** The name of the windowed statistics topic written by the streams app. */
  public String stats() {
    return prefix + STATS;
  }

  /** The name of the alerts topic written by the streams app. */
  public String alerts() {
    return prefix + ALERTS;
  }

  /** Name and partition count of every topic, for creating them. */
  public List<TopicSpec> all() {
    return List.of(
        spec(payment),
        spec(prediction),
        spec(retry),
        spec(dlq),
        spec(events),
        new TopicSpec(stats(), 3),
        new TopicSpec(alerts(), 1));
  }

  private static TopicSpec spec(Topic<?, ?> topic) {
    return new TopicSpec(topic.name(), topic.partitions());
  }

  /** A topic to create: its name and partition count. */
  public record TopicSpec(String name, int partitions) {}
}

package io.spillway.ingest.submit;

import java.util.Map;
import java.util.function.DoubleSupplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.Metric;

/** One of the Kafka producer's own {@code producer-metrics}, read as a number whenever asked. */
final class ProducerMetric {

  private ProducerMetric() {}

  /** The metric's current value; fails at once if this producer has no such metric. */
  static DoubleSupplier of(Producer<?, ?> producer, String name) {
    Metric metric =
        producer.metrics().entrySet().stream()
            .filter(e -> e.getKey().name().equals(name) && e.getKey().group().equals("producer-metrics"))
            .map(Map.Entry::getValue)
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("the Kafka producer has no " + name + " metric"));
    return () -> ((Number) metric.metricValue()).doubleValue();
  }
}

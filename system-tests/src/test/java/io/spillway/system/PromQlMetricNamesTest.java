package io.spillway.system;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromQlMetricNamesTest {

  @Test
  void findsMetricsAndSkipsFunctionsLabelsAndKeywords() {
    String expr =
        "histogram_quantile(0.99, sum by (le, route) (rate(spillway_http_seconds_bucket{status=~\"5..\"}[5m])))"
            + " / on(instance) group_left sum(spillway_up) > 0.5 and absent(kafka_lag) offset 1m";

    assertThat(PromQlMetricNames.of(expr))
        .containsExactlyInAnyOrder("spillway_http_seconds_bucket", "spillway_up", "kafka_lag");
  }

  @Test
  void aBareMetricIsItsOwnName() {
    assertThat(PromQlMetricNames.of("spillway_dlq_records_total")).containsExactly("spillway_dlq_records_total");
  }
}

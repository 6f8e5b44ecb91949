package io.spillway.streams.topology;

import java.time.Duration;

/**
 * When the streams app raises an alert.
 *
 * @param slo the end-to-end p99 objective ({@code SPILLWAY_SLO_P99})
 * @param consecutiveWindows how many 1 s windows in a row must breach it ({@code SPILLWAY_SLO_WINDOWS})
 * @param surgeMultiple throughput above this multiple of the trailing baseline is a surge ({@code SPILLWAY_SURGE_MULTIPLE})
 * @param baselineWindows the span of the trailing baseline, in 1 s windows ({@code SPILLWAY_SURGE_BASELINE_WINDOWS})
 * @param minBaseline below this many jobs/s the baseline is too thin to judge a surge
 * @param errorRate an error rate above this fires ({@code SPILLWAY_ERROR_RATE_THRESHOLD})
 */
public record AlertRules(Duration slo, int consecutiveWindows, double surgeMultiple, int baselineWindows, double minBaseline, double errorRate) {

  public AlertRules {
    if (consecutiveWindows < 1 || surgeMultiple <= 1 || baselineWindows < 2 || errorRate <= 0 || errorRate >= 1) {
      throw new IllegalArgumentException("alert rules out of range");
    }
  }

  public static AlertRules defaults() {
    return new AlertRules(Duration.ofSeconds(2), 3, 3.0, 60, 1.0, 0.05);
  }
}

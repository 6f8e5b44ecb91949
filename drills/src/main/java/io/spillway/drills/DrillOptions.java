package io.spillway.drills;

import io.spillway.drills.faults.Scenario;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What one drill does.
 *
 * @param scenarios the faults to inject, each {@code repeat} times, spread evenly over the load
 * @param repeat how often each scenario's faults are injected
 * @param duration how long the load runs
 * @param rate requests per second
 * @param workers how many worker processes
 * @param repoRoot where the service jars are built ({@code <module>/target/spillway-<module>.jar})
 * @param workDir where data, logs and the history go
 */
public record DrillOptions(
    List<Scenario> scenarios, int repeat, Duration duration, int rate, int workers, Path repoRoot, Path workDir) {

  public DrillOptions {
    scenarios = List.copyOf(scenarios);
    Objects.requireNonNull(duration, "duration");
    if (rate < 1 || rate > 5_000) {
      throw new IllegalArgumentException("--rate must be between 1 and 5000: " + rate);
    }
    if (repeat < 1) {
      throw new IllegalArgumentException("--repeat must be at least 1: " + repeat);
    }
    if (duration.toSeconds() < 10 || duration.toMinutes() > 60) {
      throw new IllegalArgumentException("--duration must be between 10s and 60m: " + duration);
    }
  }
}

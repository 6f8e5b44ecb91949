package io.spillway.cli.load;

import java.time.Duration;

/**
 * How load varies over a run: a multiplier of the base rate (open loop) or of the base number of
 * virtual users (closed loop) at each moment.
 */
public enum Profile {
  /** The base load throughout. */
  CONSTANT,
  /** A tenth of the run to ramp up linearly, then the base load. */
  RAMP,
  /** The first third at the base load, the middle third ten times it, the last third at the base again. */
  BLACK_FRIDAY;

  /** The multiplier at {@code elapsed} into a run of {@code length}. */
  public double multiplier(Duration elapsed, Duration length) {
    double f = (double) elapsed.toNanos() / length.toNanos();
    return switch (this) {
      case CONSTANT -> 1;
      case RAMP -> f < 0.1 ? Math.max(0.05, f / 0.1) : 1;
      case BLACK_FRIDAY -> f >= 1.0 / 3 && f < 2.0 / 3 ? 10 : 1;
    };
  }
}

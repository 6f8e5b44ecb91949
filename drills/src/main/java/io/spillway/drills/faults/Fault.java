package io.spillway.drills.faults;

import java.time.Duration;

/**
 * One fault the drill injects and later heals.
 *
 * @param name what an operator would call it, e.g. {@code broker-kill}
 * @param hold how long the fault lasts before it is healed
 * @param inject what breaks
 * @param heal what repairs it
 */
public record Fault(String name, Duration hold, Action inject, Action heal) {

  /** A step that may fail. */
  @FunctionalInterface
  public interface Action {
    void run() throws Exception;
  }
}

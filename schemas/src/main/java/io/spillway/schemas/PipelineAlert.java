package io.spillway.schemas;

import java.time.Instant;
import java.util.Objects;

/**
 * An alert on {@code pipeline.alerts}, keyed by job type: a breach starting, or clearing.
 *
 * @param type the job type
 * @param kind what crossed the line
 * @param state FIRING when it starts, RESOLVED when it clears
 * @param at the end of the window that decided it
 * @param value the observed value (p99 in ms, jobs/s, or an error rate)
 * @param threshold the line it was compared with
 * @param message what an operator reads
 */
public record PipelineAlert(JobType type, Kind kind, State state, Instant at, double value, double threshold, String message) {

  public PipelineAlert {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(message, "message");
  }

  /** What an alert is about. */
  public enum Kind {
    /** End-to-end p99 above the SLO for K consecutive windows. */
    SLO_BREACH,
    /** Throughput above a multiple of its trailing baseline. */
    SURGE,
    /** The share of FAILED and DEAD_LETTERED jobs above its threshold. */
    ERROR_RATE
  }

  /** Whether the alert starts or clears. */
  public enum State {
    FIRING,
    RESOLVED
  }
}

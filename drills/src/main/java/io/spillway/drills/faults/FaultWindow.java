package io.spillway.drills.faults;

/**
 * When a fault was in force, and how long the system took to recover after it was healed.
 *
 * @param fault the fault's name
 * @param injectedAt epoch ms
 * @param healedAt epoch ms
 * @param recoveredAt epoch ms when a probe job submitted after the heal reached a terminal state,
 *     or 0 if it never did
 */
public record FaultWindow(String fault, long injectedAt, long healedAt, long recoveredAt) {

  public long recoveryMillis() {
    return recoveredAt == 0 ? -1 : recoveredAt - healedAt;
  }

  /** Whether a moment falls in the window, with a margin after the heal for recovery. */
  public boolean covers(long at, long marginMs) {
    return at >= injectedAt && at <= Math.max(healedAt, recoveredAt) + marginMs;
  }
}

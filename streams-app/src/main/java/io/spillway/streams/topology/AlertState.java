package io.spillway.streams.topology;

/**
 * What the alert processor remembers per job type between windows.
 *
 * @param breaches consecutive windows with p99 above the SLO
 * @param baseline the trailing throughput baseline (exponentially weighted), jobs/s
 * @param windows how many windows fed the baseline
 * @param sloFiring whether an SLO breach is open
 * @param surgeFiring whether a surge is open
 * @param errorFiring whether an error-rate breach is open
 */
public record AlertState(int breaches, double baseline, long windows, boolean sloFiring, boolean surgeFiring, boolean errorFiring) {

  static AlertState initial() {
    return new AlertState(0, 0, 0, false, false, false);
  }
}

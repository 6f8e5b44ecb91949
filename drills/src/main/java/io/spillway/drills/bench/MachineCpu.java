package io.spillway.drills.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How busy the whole machine's CPUs were between two readings of {@code /proc/stat} (Linux): the
 * share of time not idle and not waiting on I/O, over every core. A benchmark that reports it says
 * whether a figure was limited by the CPU (near 100%) or by waiting.
 */
record MachineCpu(long busy, long total) {

  private static final Path STAT = Path.of("/proc/stat");

  /** Now; {@code (0, 0)} where there is no {@code /proc/stat}. */
  static MachineCpu read() {
    try {
      String[] f = Files.readAllLines(STAT).getFirst().trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < f.length; i++) {
        total += Long.parseLong(f[i]);
      }
      long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
      return new MachineCpu(total - idle, total);
    } catch (IOException | RuntimeException e) {
      return new MachineCpu(0, 0);
    }
  }

  /** The busy share of all cores since {@code earlier}, 0..1; NaN when unknown. */
  double busySince(MachineCpu earlier) {
    long total = this.total - earlier.total;
    return total <= 0 ? Double.NaN : (double) (busy - earlier.busy) / total;
  }
}

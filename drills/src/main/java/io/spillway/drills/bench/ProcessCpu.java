package io.spillway.drills.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * CPU time of every process on the machine by role, read from {@code /proc} (Linux): the broker,
 * the workers, PostgreSQL, Redis, this bench and the rest. Two snapshots give who used the CPU in
 * between — on a machine where everything shares two cores, which process to make cheaper. A
 * process that ended in between is not counted; one that started is counted from its start.
 */
final class ProcessCpu {

  /** Linux's USER_HZ: the unit of the times in {@code /proc/<pid>/stat}. */
  private static final double TICKS_PER_SECOND = 100;

  private final Map<Long, Sample> byPid;

  private record Sample(String role, long ticks) {}

  private ProcessCpu(Map<Long, Sample> byPid) {
    this.byPid = byPid;
  }

  /** Now; empty where there is no {@code /proc}. */
  static ProcessCpu read() {
    Map<Long, Sample> byPid = new HashMap<>();
    try (Stream<Path> dirs = Files.list(Path.of("/proc"))) {
      dirs.filter(d -> d.getFileName().toString().chars().allMatch(Character::isDigit)).forEach(d -> {
        try {
          String stat = Files.readString(d.resolve("stat"));
          // the fields after the command name, which is in parentheses and may hold spaces
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
          String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          String cmdline = new String(Files.readAllBytes(d.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
          byPid.put(Long.parseLong(d.getFileName().toString()), new Sample(role(comm, cmdline), ticks));
        } catch (IOException | RuntimeException gone) {
          // the process ended while being read
        }
      });
    } catch (IOException e) {
      return new ProcessCpu(Map.of());
    }
    return new ProcessCpu(byPid);
  }

  private static String role(String comm, String cmdline) {
    if (cmdline.contains("BrokerLauncher")) {
      return "Kafka broker";
    }
    if (cmdline.contains("-jar") && cmdline.contains("spillway-workers.jar")) {
      return "workers";
    }
    if (comm.startsWith("postgres") || cmdline.startsWith("postgres")) {
      return "PostgreSQL";
    }
    if (comm.startsWith("redis-server")) {
      return "Redis";
    }
    if (cmdline.contains("io.spillway.drills.bench")) {
      return "this bench (load, progress)";
    }
    return "other";
  }

  /** CPU seconds by role since {@code earlier}, largest first. */
  Map<String, Double> secondsSince(ProcessCpu earlier) {
    Map<String, Double> seconds = new TreeMap<>();
    byPid.forEach((pid, now) -> {
      Sample before = earlier.byPid.get(pid);
      long ticks = now.ticks() - (before == null ? 0 : before.ticks());
      seconds.merge(now.role(), ticks / TICKS_PER_SECOND, Double::sum);
    });
    return seconds;
  }

  /** {@code workers 45% · Kafka broker 20% · …} of the machine's CPU time over {@code wallSeconds}. */
  static String shares(Map<String, Double> seconds, double wallSeconds, int cores) {
    double capacity = wallSeconds * cores;
    StringBuilder text = new StringBuilder();
    seconds.entrySet().stream()
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .filter(e -> e.getValue() / capacity >= 0.005)
        .forEach(e -> text.append(text.isEmpty() ? "" : " · ").append(String.format(java.util.Locale.ROOT, "%s %.0f%%", e.getKey(), 100 * e.getValue() / capacity)));
    return text.toString();
  }
}

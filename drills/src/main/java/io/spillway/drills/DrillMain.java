package io.spillway.drills;

import io.spillway.drills.check.CheckReport;
import io.spillway.drills.faults.Scenario;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code scripts/drill.sh}: runs a drill and appends its report to {@code bench/results/drills-<date>.md}. */
@Command(
    name = "drill",
    mixinStandardHelpOptions = true,
    description = "Drive load through a local Spillway stack, inject faults, and check that no accepted job is lost or applied twice.")
public final class DrillMain implements Callable<Integer> {

  @Parameters(
      arity = "0..*",
      paramLabel = "SCENARIO",
      description = "Scenarios to run (default: all): broker-kill, broker-restart, worker-kill, worker-kill-after-commit, worker-freeze, postgres-restart, redis-restart, slow-consumer, poison, ingest-restart, hot-key")
  List<String> scenarios = List.of();

  @Option(names = "--duration", defaultValue = "60s", description = "How long the load runs, e.g. 90s or 5m (default ${DEFAULT-VALUE})")
  String duration;

  @Option(names = "--rate", defaultValue = "40", description = "Requests per second (default ${DEFAULT-VALUE})")
  int rate;

  @Option(names = "--repeat", defaultValue = "1", description = "How often each scenario's faults are injected (default ${DEFAULT-VALUE})")
  int repeat;

  @Option(names = "--workers", defaultValue = "2", description = "Worker processes (default ${DEFAULT-VALUE})")
  int workers;

  @Option(names = "--out", defaultValue = "bench/results", description = "Where the report goes (default ${DEFAULT-VALUE})")
  Path out;

  @Override
  public Integer call() throws Exception {
    List<Scenario> selected =
        scenarios.isEmpty()
            ? Arrays.asList(Scenario.values())
            : scenarios.stream().map(DrillMain::scenario).toList();
    Duration length = parseDuration(duration);
    Path work = Files.createTempDirectory("spillway-drill-");
    DrillOptions options = new DrillOptions(selected, repeat, length, rate, workers, Path.of("").toAbsolutePath(), work);
    CheckReport report = new Drill(options).run();
    String title =
        "Drill " + LocalDateTime.now().withNano(0) + ": " + selected.stream().map(Scenario::cliName).toList()
            + " ×" + repeat + ", " + duration + " at " + rate + " req/s, " + workers + " workers";
    String markdown = report.toMarkdown(title);
    System.out.println(markdown);
    Files.createDirectories(out);
    Path file = out.resolve("drills-" + LocalDate.now() + ".md");
    Files.writeString(file, markdown, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    System.out.println("Report appended to " + file + "; history and logs in " + work);
    return report.passed() ? 0 : 1;
  }

  private static Scenario scenario(String name) {
    try {
      return Scenario.valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          new CommandLine(new DrillMain()), "unknown scenario '" + name + "' (see --help)");
    }
  }

  private static Duration parseDuration(String text) {
    return io.spillway.schemas.env.SpillwayEnv.parseDuration("--duration", text);
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new DrillMain()).execute(args));
  }
}

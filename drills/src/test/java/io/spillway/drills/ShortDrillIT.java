package io.spillway.drills;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.drills.check.CheckReport;
import io.spillway.drills.faults.FaultWindow;
import io.spillway.drills.faults.Scenario;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The short drill CI runs: a broker SIGKILL, a worker halted right after its database commit and
 * before its offset commit, and a worker SIGKILL at a random moment, under a steady mixed load,
 * against the real services started from their jars. Nothing acknowledged may be lost, nothing
 * applied twice, nothing invented, no account's payments reordered.
 */
class ShortDrillIT {

  @Test
  void brokerAndWorkerKillsUnderLoadLoseNothingAndDuplicateNothing() throws Exception {
    Path root = Path.of("").toAbsolutePath();
    for (String jar : List.of("ingest-api/target/spillway-ingest-api.jar", "workers/target/spillway-workers.jar", "streams-app/target/spillway-streams-app.jar")) {
      assertThat(root.resolve(jar)).as("the drill runs the services from their jars; build them first").exists();
    }
    DrillOptions options =
        new DrillOptions(
            List.of(Scenario.BROKER_KILL, Scenario.WORKER_KILL_AFTER_COMMIT, Scenario.WORKER_KILL), 1, Duration.ofSeconds(48), 25, 2, root,
            Files.createTempDirectory("spillway-short-drill-"));

    CheckReport report = new Drill(options).run();

    System.out.println(report.toMarkdown("Short drill (CI)"));
    assertThat(report.acknowledged()).isGreaterThan(800);
    assertThat(report.lost()).as("acknowledged but not terminal").isZero();
    assertThat(report.duplicated()).as("payments applied twice").isZero();
    assertThat(report.phantom()).as("jobs nobody acknowledged").isZero();
    assertThat(report.orderViolations()).as("payments of an account out of order").isZero();
    assertThat(report.terminal()).isEqualTo(report.acknowledged());
    assertThat(report.fiveHundredsOutside()).as("5xx answers outside fault windows").isZero();
    assertThat(report.faults()).extracting(FaultWindow::recoveryMillis).allSatisfy(ms -> assertThat(ms).isBetween(0L, 30_000L));
  }
}

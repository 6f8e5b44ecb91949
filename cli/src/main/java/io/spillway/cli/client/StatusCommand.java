package io.spillway.cli.client;

import io.spillway.cli.GlobalOptions;
import io.spillway.schemas.env.SpillwayEnv;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code spillway status ID [--wait[=DURATION]]}. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show a job's status and result; --wait polls until it is done.")
public final class StatusCommand implements Callable<Integer> {

  private static final Set<String> TERMINAL = Set.of("SUCCEEDED", "FAILED", "DEAD_LETTERED");

  @Mixin GlobalOptions global;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "ID", description = "The job id") String id;

  @Option(names = "--wait", arity = "0..1", fallbackValue = "60s", paramLabel = "DURATION",
      description = "Wait until the job is done, at most DURATION (default 60s), e.g. 30s or 2m")
  String wait;

  @Override
  public Integer call() {
    ApiClient api = new ApiClient(global.api, global.requireApiKey());
    Duration limit = wait == null ? Duration.ZERO : SpillwayEnv.parseDuration("--wait", wait);
    long deadline = System.nanoTime() + limit.toNanos();
    ApiClient.Answer answer;
    do {
      long remaining = Math.max(0, Math.min(30_000, (deadline - System.nanoTime()) / 1_000_000));
      answer = ApiClient.ok(api.get("/v1/jobs/" + id + (remaining > 0 ? "?waitMs=" + remaining : ""), Duration.ofMillis(remaining + 10_000)));
    } while (!TERMINAL.contains(answer.body().path("status").asText()) && System.nanoTime() < deadline);
    Output.print(spec.commandLine().getOut(), global.json, answer.body(), "jobId", "type", "status", "result", "error",
        "submittedAt", "startedAt", "completedAt", "attempts");
    return 0;
  }
}

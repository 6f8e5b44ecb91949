package io.spillway.drills;

import io.spillway.drills.check.CheckReport;
import io.spillway.drills.check.Checker;
import io.spillway.drills.faults.Fault;
import io.spillway.drills.faults.FaultWindow;
import io.spillway.drills.faults.Scenario;
import io.spillway.drills.infra.DrillStack;
import io.spillway.drills.load.DrillClient;
import io.spillway.drills.load.History;
import io.spillway.drills.load.LoadDriver;
import io.spillway.drills.load.Outcome;
import io.spillway.drills.load.Workload;
import io.spillway.schemas.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one drill: stack, load, faults on a schedule, quiescence, check. Every process it starts
 * is stopped when it returns.
 */
public final class Drill {

  private static final Logger log = LoggerFactory.getLogger(Drill.class);
  private static final Duration QUIESCENCE_TIMEOUT = Duration.ofSeconds(180);

  private final DrillOptions options;
  private final AtomicLong probeSeq = new AtomicLong(1_000_000_000L);

  public Drill(DrillOptions options) {
    this.options = options;
  }

  public CheckReport run() throws Exception {
    Files.createDirectories(options.workDir());
    List<FaultWindow> windows = new ArrayList<>();
    long poisonSent = 0;
    try (DrillStack stack = DrillStack.start(options.workDir(), options.repoRoot(), options.workers());
        History history = new History(options.workDir().resolve("history.jsonl"))) {
      DrillClient client = new DrillClient(stack.apiUrl(), DrillStack.API_KEY, Duration.ofSeconds(90));
      awaitPipeline(stack, client, history);

      Workload workload =
          options.scenarios().contains(Scenario.HOT_KEY) ? Workload.standard().withHotAccount(0.8) : Workload.standard();
      try (LoadDriver load = new LoadDriver(client, history, workload, options.rate());
          ExecutorService background = Executors.newVirtualThreadPerTaskExecutor()) {
        Future<?> running = background.submit(() -> load.run(options.duration()));
        List<Scenario> schedule = new ArrayList<>();
        for (int i = 0; i < options.repeat(); i++) {
          schedule.addAll(options.scenarios());
        }
        long start = System.currentTimeMillis();
        long spacing = options.duration().toMillis() / (schedule.size() + 1);
        for (int i = 0; i < schedule.size(); i++) {
          sleepUntil(start + spacing * (i + 1));
          for (Fault fault : schedule.get(i).faults(stack)) {
            windows.add(inject(fault, stack, client, history));
            if (schedule.get(i) == Scenario.POISON) {
              poisonSent += 10;
            }
          }
        }
        running.get();
        log.info("load finished: {} requests sent; waiting for every answer", load.sent());
        load.awaitAnswers(Duration.ofSeconds(120));
      }
      awaitQuiescence(stack, history.outcomes());
      Checker checker =
          new Checker(stack.postgres().endpoint(), stack.broker().bootstrap(), Topics.defaults().dlq().name(), DrillStack.TENANT);
      return checker.check(history.outcomes(), windows, poisonSent);
    }
  }

  private FaultWindow inject(Fault fault, DrillStack stack, DrillClient client, History history) throws Exception {
    log.info("fault: injecting {}", fault.name());
    long injected = System.currentTimeMillis();
    fault.inject().run();
    Thread.sleep(fault.hold().toMillis());
    fault.heal().run();
    long healed = System.currentTimeMillis();
    long recovered = probe(stack, client, history, Duration.ofSeconds(60));
    log.info("fault: {} healed; recovered in {} ms", fault.name(), recovered == 0 ? -1 : recovered - healed);
    return new FaultWindow(fault.name(), injected, healed, recovered);
  }

  /** Submits a prediction and waits until it is terminal; returns when, or 0 if it never was. */
  private long probe(DrillStack stack, DrillClient client, History history, Duration patience) throws Exception {
    long deadline = System.currentTimeMillis() + patience.toMillis();
    Outcome outcome =
        client.submit(
            probeSeq.getAndIncrement(), UUID.randomUUID().toString(), "prediction", null, 0,
            "{\"model\":\"default\",\"features\":{\"probe\":" + System.nanoTime() % 1000 + "}}");
    history.record(outcome);
    if (!outcome.acknowledged()) {
      return 0;
    }
    HttpClient http = HttpClient.newHttpClient();
    while (System.currentTimeMillis() < deadline) {
      try {
        HttpResponse<String> status =
            http.send(
                HttpRequest.newBuilder(URI.create(stack.apiUrl() + "/v1/jobs/" + outcome.jobId() + "?waitMs=2000"))
                    .header("Authorization", "Bearer " + DrillStack.API_KEY)
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (status.statusCode() == 200 && status.body().matches("(?s).*\"status\"\\s*:\\s*\"(SUCCEEDED|FAILED|DEAD_LETTERED)\".*")) {
          return System.currentTimeMillis();
        }
      } catch (java.io.IOException e) {
        Thread.sleep(200);
      }
    }
    return 0;
  }

  private void awaitPipeline(DrillStack stack, DrillClient client, History history) throws Exception {
    long deadline = System.currentTimeMillis() + 180_000;
    while (System.currentTimeMillis() < deadline) {
      if (probe(stack, client, history, Duration.ofSeconds(20)) > 0) {
        log.info("pipeline ready: a probe job went through");
        return;
      }
    }
    throw new IllegalStateException("the drill stack never processed a probe job; see " + options.workDir().resolve("logs"));
  }

  /** Waits until every acknowledged job is terminal in PostgreSQL, or the timeout passes. */
  private void awaitQuiescence(DrillStack stack, List<Outcome> outcomes) throws Exception {
    Set<String> acked = new java.util.HashSet<>();
    outcomes.stream().filter(Outcome::acknowledged).forEach(o -> acked.add(o.jobId()));
    long deadline = System.currentTimeMillis() + QUIESCENCE_TIMEOUT.toMillis();
    long terminal = 0;
    while (System.currentTimeMillis() < deadline) {
      terminal = countTerminal(stack, acked);
      log.info("quiescence: {} of {} acknowledged jobs terminal", terminal, acked.size());
      if (terminal >= acked.size()) {
        return;
      }
      Thread.sleep(2000);
    }
    log.warn("quiescence: only {} of {} acknowledged jobs terminal after {}", terminal, acked.size(), QUIESCENCE_TIMEOUT);
  }

  private static long countTerminal(DrillStack stack, Set<String> acked) {
    try (Connection c = stack.postgres().endpoint().connect();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT count(*) FROM jobs WHERE job_id = ANY (?) AND status IN ('SUCCEEDED','FAILED','DEAD_LETTERED')")) {
      s.setArray(1, c.createArrayOf("text", acked.toArray()));
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (java.sql.SQLException e) {
      return 0; // PostgreSQL is still coming back
    }
  }

  private static void sleepUntil(long epochMs) throws InterruptedException {
    long wait = epochMs - System.currentTimeMillis();
    if (wait > 0) {
      Thread.sleep(wait);
    }
  }

}

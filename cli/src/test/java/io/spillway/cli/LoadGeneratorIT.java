package io.spillway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.spillway.schemas.Json;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The load generator's figures against a local server whose latency is known: a fixed delay, and a
 * one-second stall that an open-loop test must reveal while a closed loop mostly hides it.
 */
class LoadGeneratorIT {

  private HttpServer server;
  private volatile long stallFrom;
  private volatile long stallUntil;
  /** Requests numbered from here to stallLastRequest (counting from 1) each take a second. */
  private volatile int stallFirstRequest = Integer.MAX_VALUE;
  private volatile int stallLastRequest;
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger jobs = new AtomicInteger();
  private final AtomicInteger statusReads = new AtomicInteger();
  /** When set, GET /v1/jobs/{id} answers 404, as for a job id the API does not know. */
  private volatile boolean jobsUnknown;

  private String start(long delayMillis) throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1000);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/v1/jobs/", ex -> {
      try {
        long now = System.currentTimeMillis();
        if (now >= stallFrom && now < stallUntil) {
          Thread.sleep(stallUntil - now);
        }
        int number = ex.getRequestMethod().equals("POST") ? requests.incrementAndGet() : 0;
        if (number >= stallFirstRequest && number <= stallLastRequest) {
          Thread.sleep(1_000);
        }
        Thread.sleep(delayMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ex.getRequestBody().readAllBytes();
      if (ex.getRequestMethod().equals("GET")) {
        statusReads.incrementAndGet();
        if (jobsUnknown) {
          ex.sendResponseHeaders(404, -1);
          ex.close();
          return;
        }
      }
      String body = ex.getRequestMethod().equals("POST")
          ? "{\"jobId\":\"j-" + jobs.incrementAndGet() + "\",\"type\":\"payment\",\"status\":\"QUEUED\",\"statusUrl\":\"/v1/jobs/x\"}"
          : "{\"jobId\":\"x\",\"status\":\"SUCCEEDED\",\"submittedAt\":\"2026-11-27T09:00:00Z\",\"completedAt\":\"2026-11-27T09:00:00.250Z\",\"attempts\":1}";
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(ex.getRequestMethod().equals("POST") ? 202 : 200, bytes.length);
      ex.getResponseBody().write(bytes);
      ex.close();
    });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private JsonNode load(String api, String... args) throws Exception {
    String[] all = new String[args.length + 6];
    all[0] = "load";
    all[1] = "--api";
    all[2] = api;
    all[3] = "--api-key";
    all[4] = "k";
    all[5] = "--json";
    System.arraycopy(args, 0, all, 6, args.length);
    CliUsageTest.Run run = CliUsageTest.run(all);
    assertThat(run.code()).as(run.err()).isZero();
    return Json.mapper().readTree(run.out());
  }

  @Test
  void closedLoopMeasuresTheInjectedLatencyAndTheThroughputItAllows() throws Exception {
    String api = start(20);

    JsonNode r = load(api, "--users", "4", "--duration", "3s", "--sample", "5");

    assertThat(r.path("p50Ms").asDouble()).isBetween(20.0, 60.0);
    assertThat(r.path("qps").asDouble()).as("4 users / 20 ms").isBetween(60.0, 210.0);
    // the JDK's test server now and then drops a kept-alive connection: the tool reports it as "io"
    assertThat(r.path("errorRate").asDouble()).as(r.path("outcomes").toString()).isLessThan(0.02);
    assertThat(r.path("outcomes").path("202").asLong()).isGreaterThan(r.path("answered").asLong() * 98 / 100);
    assertThat(r.path("completion").path("sampled").asLong()).isEqualTo(5);
    assertThat(r.path("completion").path("p50Ms").asDouble()).isBetween(249.0, 251.0);
  }

  @Test
  void aSampledJobTheApiDoesNotKnowIsAskedForOnceAndTheRunSaysSo() throws Exception {
    String api = start(1);
    jobsUnknown = true;

    CliUsageTest.Run run = CliUsageTest.run("load", "--api", api, "--api-key", "k", "--json", "--users", "2", "--duration", "1s", "--sample", "3");

    assertThat(run.code()).as(run.err()).isZero();
    assertThat(statusReads.get()).as("one GET per sampled job, not a minute of them").isEqualTo(3);
    assertThat(run.err()).contains("waiting up to 60s for 3 sampled jobs").contains("sampled jobs: 0 of 3 completed; 3 not answered 200");
    assertThat(Json.mapper().readTree(run.out()).path("completion").path("sampled").asLong()).isZero();
  }

  @Test
  void aWarmUpSendsUnmeasuredFirstSoItsStallsAndRequestsAreNotCounted() throws Exception {
    String api = start(2);
    stallFirstRequest = 20; // early in the 2 s warm-up at 200/s; done well before it ends
    stallLastRequest = 40;

    JsonNode r = load(api, "--rate", "200", "--duration", "2s", "--warm-up", "2s", "--sample", "0");

    assertThat(r.path("answered").asLong()).as("only the measured 2 s count").isEqualTo(400);
    assertThat(requests.get()).as("the warm-up's requests reached the server too").isGreaterThanOrEqualTo(700);
    assertThat(r.path("p99Ms").asDouble()).as("the warm-up's one-second stalls are not in the figures").isLessThan(500);
  }

  @Test
  void openLoopRevealsAStallThatAClosedLoopHides() throws Exception {
    String api = start(2);
    stallFrom = System.currentTimeMillis() + 1500;
    stallUntil = stallFrom + 1000;
    // 20 connections: the stall holds every one, and the requests due meanwhile wait for one
    JsonNode open = load(api, "--rate", "200", "--duration", "4s", "--sample", "0", "--connections", "20");

    stallFrom = System.currentTimeMillis() + 1500;
    stallUntil = stallFrom + 1000;
    JsonNode closed = load(api, "--users", "1", "--duration", "4s", "--sample", "0");

    assertThat(open.path("p99Ms").asDouble()).as("open loop p99 sees the stall").isGreaterThan(500);
    assertThat(closed.path("peakMs").asDouble()).as("the closed loop's one stalled request").isGreaterThan(500);
    assertThat(closed.path("p99Ms").asDouble()).as("closed loop p99 hides it").isLessThan(open.path("p99Ms").asDouble() / 5);
    assertThat(open.path("stalls").path("maxMs").asDouble()).as("the server stalled, not the generator").isPositive().isLessThan(500);
    assertThat(open.path("lateness").path("maxMs").asDouble())
        .as("the generator took up every request on time; the waits for a free connection were the server's")
        .isPositive().isLessThan(500);
  }

  @Test
  void blackFridayProfileSendsAboutTenTimesMoreInTheMiddleThird() throws Exception {
    String api = start(1);
    Path report = Files.createTempFile("load", ".html");

    CliUsageTest.Run run = CliUsageTest.run("load", "--api", api, "--api-key", "k", "--rate", "30", "--duration", "3s",
        "--profile", "black-friday", "--sample", "0", "--report", report.toString());

    assertThat(run.code()).as(run.err()).isZero();
    // 1 s at 30/s + 1 s at 300/s + 1 s at 30/s
    assertThat(jobs.get()).isBetween(300, 400);
    assertThat(run.out()).contains("Queries per second (QPS)").contains("Peak response time").contains("HTTP 202");
    assertThat(run.err()).contains("load ").contains("/s  p50");
    assertThat(Files.readString(report)).contains("<svg").contains("polyline").contains("Latency histogram");
  }
}

package io.spillway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CliUsageTest {

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = SpillwayCli.commandLine(new PrintWriter(out), new PrintWriter(err)).execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"frobnicate", "submit", "submit refund --api-key k", "status", "dlq show x:y", "lag --interval nope", "submit payment --api-key k --amount ten", "load --api-key k --rate 10 --warm-up 11m", "load --api-key k --rate 10 --warm-up soon", "load --api-key k --rate 10 --duration 5 --api http://127.0.0.1:9"})
  void badUsageExitsTwoWithOneLineNamingTheProblem(String line) {
    Run run = run(line.split(" "));

    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err().strip().lines()).hasSize(1).first().asString().startsWith("spillway: ");
  }

  @Test
  void everyCommandHasHelp() {
    for (String command : new String[] {"submit", "status", "batch", "dlq", "lag"}) {
      Run run = run(command, "--help");
      assertThat(run.code()).as(command).isZero();
      assertThat(run.out()).contains("Usage: spillway " + command);
    }
  }

  @Test
  void submitSendsTheJobWithTheKeyAndPrintsTheAnswer() throws Exception {
    AtomicReference<String> seen = new AtomicReference<>();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/v1/jobs/payment", ex -> {
      seen.set(ex.getRequestHeaders().getFirst("Authorization") + " " + ex.getRequestHeaders().getFirst("Idempotency-Key") + " "
          + new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      byte[] body = "{\"jobId\":\"j-1\",\"type\":\"payment\",\"status\":\"QUEUED\",\"statusUrl\":\"/v1/jobs/j-1\"}".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(202, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    server.start();
    try {
      Run run = run("submit", "payment", "--api", "http://127.0.0.1:" + server.getAddress().getPort(), "--api-key", "k-123",
          "--account", "acc-1", "--amount", "1999", "--merchant", "m-42", "--idempotency-key", "order-7");

      assertThat(run.code()).isZero();
      assertThat(run.out()).contains("jobId").contains("j-1").contains("QUEUED");
      assertThat(seen.get()).startsWith("Bearer k-123 order-7 ").contains("\"amountMinor\":1999").contains("\"accountId\":\"acc-1\"");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void anErrorAnswerExitsOneWithTheProblemDetail() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/v1/jobs/", ex -> {
      byte[] body = "{\"type\":\"https://spillway.io/problems/not-found\",\"title\":\"Not found\",\"status\":404,\"detail\":\"no job x\"}".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(404, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    server.start();
    try {
      Run run = run("status", "x", "--api", "http://127.0.0.1:" + server.getAddress().getPort(), "--api-key", "k");

      assertThat(run.code()).isEqualTo(1);
      assertThat(run.err()).isEqualTo("spillway: 404 Not found: no job x\n");
    } finally {
      server.stop(0);
    }
  }
}

package io.spillway.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.spillway.devstack.DevStack;
import io.spillway.devstack.DevStackExtension;
import io.spillway.schemas.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The deployment's monitoring matches the code: promtool accepts the Prometheus configuration and
 * rules, and every metric a Grafana panel or an alert rule reads is exposed by a running service.
 */
@ExtendWith(DevStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MonitoringConfigIT {

  private static final Path COMPOSE = Path.of("..", "compose").toAbsolutePath().normalize();

  private final HttpClient http = HttpClient.newHttpClient();
  private RunningPipeline pipeline;

  @BeforeAll
  void start(DevStack stack) throws Exception {
    pipeline = RunningPipeline.start(stack);
  }

  @AfterAll
  void stop() throws Exception {
    pipeline.close();
  }

  @Test
  void promtoolAcceptsTheConfigurationAndTheRules() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(ComposeDeploymentTest.onPath("promtool"),
        "promtool is not installed (scripts/test.sh installs Debian's prometheus package when it can)");
    assertThat(run("promtool", "check", "config", COMPOSE.resolve("prometheus/prometheus.yml").toString())).isZero();
    assertThat(run("promtool", "check", "rules", COMPOSE.resolve("prometheus/alerts.yml").toString())).isZero();
  }

  @Test
  void everyMetricThatADashboardOrAlertReadsIsExposedByAService() throws Exception {
    submitJobs();
    TreeMap<String, Set<String>> wanted = new TreeMap<>();
    try (Stream<Path> files = Files.list(COMPOSE.resolve("grafana/dashboards"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
        Json.mapper().readTree(file.toFile()).findValues("expr").forEach(
            e -> PromQlMetricNames.of(e.asText()).forEach(m -> wanted.computeIfAbsent(m, k -> new TreeSet<>()).add(file.getFileName().toString())));
      }
    }
    JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(COMPOSE.resolve("prometheus/alerts.yml").toFile());
    rules.findValues("expr").forEach(e -> PromQlMetricNames.of(e.asText()).forEach(m -> wanted.computeIfAbsent(m, k -> new TreeSet<>()).add("alerts.yml")));
    assertThat(wanted).isNotEmpty();

    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
      Set<String> exposed = exposedMetricNames();
      List<String> missing = new ArrayList<>();
      wanted.forEach((metric, where) -> {
        if (!exposed.contains(metric)) {
          missing.add(metric + " (read by " + where + ")");
        }
      });
      assertThat(missing).as("metrics read by dashboards or alerts that no service exposes").isEmpty();
    });
  }

  private void submitJobs() throws Exception {
    for (String[] job : new String[][] {
        {"payment", "{\"accountId\":\"acc-mon\",\"amountMinor\":100,\"currency\":\"EUR\",\"merchantId\":\"m-1\"}"},
        {"prediction", "{\"model\":\"default\",\"features\":{\"items\":2}}"}}) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(pipeline.api() + "/v1/jobs/" + job[0]))
          .header("Authorization", "Bearer " + RunningPipeline.API_KEY).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(job[1])).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(202);
    }
  }

  private Set<String> exposedMetricNames() throws Exception {
    Set<String> names = new TreeSet<>();
    for (int port : new int[] {pipeline.ingest.port(), pipeline.workers.metricsPort(), pipeline.streams.port()}) {
      String text = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      text.lines().filter(l -> !l.isBlank() && !l.startsWith("#"))
          .forEach(l -> names.add(l.split("[{ ]", 2)[0]));
    }
    return names;
  }

  private static int run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    boolean done = p.waitFor(60, TimeUnit.SECONDS);
    System.out.println(String.join(" ", command) + "\n" + out);
    return done ? p.exitValue() : -1;
  }
}

package io.spillway.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node KRaft broker (combined broker and controller) running {@code kafka.Kafka}
 * from the {@code kafka_2.13} artifact in a child JVM, so that it can be stopped, killed and
 * restarted like a production broker. The child watches this JVM and exits when it dies, so no
 * broker outlives its owner. With one broker an acknowledged record survives a process crash, not
 * a power loss (no fsync per write, as in Kafka's defaults).
 */
public final class ProcessKafkaBroker implements KafkaBroker {

  private static final Logger log = LoggerFactory.getLogger(ProcessKafkaBroker.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

  private final Path dir;
  private final int port;
  private final int controllerPort;
  private final String heap;
  private Process process;
  private boolean frozen;

  private ProcessKafkaBroker(Path dir, int port, int controllerPort, String heap) {
    this.dir = dir;
    this.port = port;
    this.controllerPort = controllerPort;
    this.heap = heap;
  }

  /**
   * Formats a fresh log directory under {@code dir} (unless one is there) and starts the broker.
   *
   * @param port the client port, 0 for any free port
   * @param heap the broker JVM's heap, e.g. {@code 768m}
   */
  public static ProcessKafkaBroker launch(Path dir, int port, String heap) {
    try {
      Files.createDirectories(dir);
      Path portFile = dir.resolve("ports");
      int clientPort = port > 0 ? port : Ports.free();
      int ctrlPort = Ports.free();
      if (Files.exists(dir.resolve("data/meta.properties")) && Files.exists(portFile)) {
        String[] saved = Files.readString(portFile).trim().split(",");
        ctrlPort = Integer.parseInt(saved[1]); // the quorum voters are fixed at format time
        if (port == 0) {
          clientPort = Ports.preferred(Integer.parseInt(saved[0]));
        }
      }
      ProcessKafkaBroker broker = new ProcessKafkaBroker(dir, clientPort, ctrlPort, heap);
      broker.writeConfig();
      if (!Files.exists(dir.resolve("data/meta.properties"))) {
        broker.format();
      }
      Files.writeString(portFile, clientPort + "," + ctrlPort);
      broker.start();
      return broker;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the broker directory " + dir, e);
    }
  }

  @Override
  public String bootstrap() {
    return "127.0.0.1:" + port;
  }

  @Override
  public boolean controllable() {
    return true;
  }

  private Path configFile() {
    return dir.resolve("server.properties");
  }

  private void writeConfig() throws IOException {
    Properties p = new Properties();
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", "1");
    p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    p.setProperty("controller.listener.names", "CONTROLLER");
    p.setProperty("inter.broker.listener.name", "PLAINTEXT");
    p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.setProperty("log.dirs", dir.resolve("data").toString());
    // One broker: every internal topic has one replica.
    p.setProperty("offsets.topic.replication.factor", "1");
    p.setProperty("transaction.state.log.replication.factor", "1");
    p.setProperty("transaction.state.log.min.isr", "1");
    p.setProperty("share.coordinator.state.topic.replication.factor", "1");
    p.setProperty("share.coordinator.state.topic.min.isr", "1");
    // Fewer internal partitions: a first consumer group or transaction is ready in a blink.
    p.setProperty("offsets.topic.num.partitions", "6");
    p.setProperty("transaction.state.log.num.partitions", "6");
    // Tests and local runs start consumers at once; do not wait for more members to join.
    p.setProperty("group.initial.rebalance.delay.ms", "0");
    // Topics are created explicitly with their partition counts; a typo must not invent one.
    p.setProperty("auto.create.topics.enable", "false");
    p.setProperty("num.network.threads", "3");
    p.setProperty("num.io.threads", "4");
    p.setProperty("log.retention.hours", "24");
    p.setProperty("log.segment.bytes", String.valueOf(256 * 1024 * 1024));
    try (var out = Files.newBufferedWriter(configFile(), StandardCharsets.UTF_8)) {
      p.store(out, "written by spillway devstack");
    }
    Files.writeString(
        dir.resolve("logback-broker.xml"),
        """
        <configuration>
          <appender name="FILE" class="ch.qos.logback.core.FileAppender">
            <file>%s</file>
            <encoder><pattern>%%d{HH:mm:ss.SSS} %%-5level %%logger{30} - %%msg%%n</pattern></encoder>
          </appender>
          <root level="WARN"><appender-ref ref="FILE"/></root>
          <logger name="kafka.server.KafkaRaftServer" level="INFO"/>
        </configuration>
        """
            .formatted(dir.resolve("broker.log")));
  }

  private void format() {
    List<String> command =
        javaCommand("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(), "-c", configFile().toString());
    Optional<String> failure = runFormat(command);
    if (failure.isPresent()) {
      // A storage tool that could not get going (a JVM short of memory or threads, a disk full for a
      // moment) may leave a half-written directory: clear it and try once more before giving up.
      log.warn("Formatting the broker storage failed ({}); clearing its data and trying once more", failure.get());
      Directories.removeTree(dir.resolve("data"));
      failure = runFormat(command);
    }
    if (failure.isPresent()) {
      throw new IllegalStateException("cannot format the broker storage (" + failure.get() + ")");
    }
  }

  /** Runs Kafka's storage tool: empty when it succeeded, else why not, with the tool's last words. */
  private Optional<String> runFormat(List<String> command) {
    Path output = dir.resolve("format.out");
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return Optional.of("no answer within 60 s: " + lastLines(output));
      }
      return p.exitValue() == 0 ? Optional.empty() : Optional.of("exit code " + p.exitValue() + ": " + lastLines(output));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run Kafka's storage tool", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while formatting the broker storage", e);
    }
  }

  private static String lastLines(Path file) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return lines.isEmpty() ? "it printed nothing" : String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    } catch (IOException e) {
      return "its output is unreadable (" + e.getMessage() + ")";
    }
  }

  @Override
  public synchronized void start() {
    if (process != null && process.isAlive()) {
      return;
    }
    frozen = false;
    List<String> command =
        javaCommand(BrokerLauncher.class.getName(), String.valueOf(ProcessHandle.current().pid()), configFile().toString());
    try {
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker.out").toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the Kafka broker", e);
    }
    awaitReady();
    log.info("Kafka broker ready at {} (pid {}, data {})", bootstrap(), process.pid(), dir);
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    Map<String, Object> props =
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000,
            AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
    try (Admin admin = Admin.create(props)) {
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IllegalStateException(
              "the Kafka broker exited with " + process.exitValue() + "; see " + dir.resolve("broker.out"));
        }
        try {
          if (!admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (Exception notYet) {
          sleep(200);
        }
      }
    }
    throw new IllegalStateException("the Kafka broker did not answer within " + READY_TIMEOUT);
  }

  @Override
  public synchronized void stop() {
    if (process == null || !process.isAlive()) {
      return;
    }
    if (frozen) {
      thaw(); // a stopped process would not act on SIGTERM
    }
    process.destroy();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        log.warn("Kafka broker did not stop within 60 s; killing it");
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.info("Kafka broker at {} stopped", bootstrap());
  }

  @Override
  public synchronized void kill() {
    if (process == null || !process.isAlive()) {
      return;
    }
    try {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.info("Kafka broker at {} killed", bootstrap());
  }

  @Override
  public synchronized void freeze() {
    signal("STOP");
    frozen = true;
    log.info("Kafka broker at {} frozen", bootstrap());
  }

  @Override
  public synchronized void thaw() {
    signal("CONT");
    frozen = false;
    log.info("Kafka broker at {} thawed", bootstrap());
  }

  private void signal(String name) {
    if (process == null || !process.isAlive()) {
      throw new IllegalStateException("the Kafka broker is not running");
    }
    Signals.send(process, name);
  }

  @Override
  public void close() {
    stop();
  }

  private List<String> javaCommand(String mainClass, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xms" + heap);
    command.add("-Xmx" + heap);
    command.add("-XX:+UseG1GC");
    command.add("-XX:MaxGCPauseMillis=20");
    command.add("-Djava.awt.headless=true");
    command.add("-Dlogback.configurationFile=" + dir.resolve("logback-broker.xml"));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(List.of(args));
    return command;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the broker", e);
    }
  }
}

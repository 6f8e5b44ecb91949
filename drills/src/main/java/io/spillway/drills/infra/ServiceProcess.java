package io.spillway.drills.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Spillway service running from its runnable jar in a child JVM, so that a drill can kill it
 * with SIGKILL, stop it with SIGTERM, freeze it with SIGSTOP and start it again. The drill owns it.
 */
public final class ServiceProcess implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ServiceProcess.class);

  /**
   * The JVM of a service that answers requests: a heap that grows as needed, short GC pauses; and
   * on Java 23 and later Netty's Unsafe memory access allowed, as scripts/lib/java.sh does (Netty
   * leaves Unsafe alone from Java 25 on otherwise; Java 21 allows it and lacks the option).
   */
  public static final List<String> SERVICE_JVM =
      Runtime.version().feature() >= 23
          ? List.of("-Xms128m", "-Xmx768m", "-XX:+UseG1GC", "--sun-misc-unsafe-memory-access=allow")
          : List.of("-Xms128m", "-Xmx768m", "-XX:+UseG1GC");

  /**
   * The JVM of a worker, which drains batches: the throughput collector and its whole heap from the
   * start. Measured with bench-workers (600,000 predictions + 120,000 payments, alternating runs):
   * 7-9% more jobs/s than {@link #SERVICE_JVM}, worker CPU per job 27-29 → 24-27 µs.
   */
  public static final List<String> WORKER_JVM = List.of("-Xms768m", "-Xmx768m", "-XX:+UseParallelGC");

  private final String name;
  private final List<String> jvm;
  private final Path jar;
  private final Map<String, String> env;
  private final Path logFile;
  private Process process;

  public ServiceProcess(String name, Path jar, Map<String, String> env, Path logDir) {
    this(name, SERVICE_JVM, jar, env, logDir);
  }

  /** @param jvm the JVM's options, before {@code -jar} */
  public ServiceProcess(String name, List<String> jvm, Path jar, Map<String, String> env, Path logDir) {
    this.name = name;
    this.jvm = List.copyOf(jvm);
    this.jar = jar;
    this.env = Map.copyOf(env);
    this.logFile = logDir.resolve(name + ".log");
  }

  public String name() {
    return name;
  }

  public synchronized void start() {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvm);
    command.addAll(List.of("-jar", jar.toString()));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    builder.environment().putAll(env);
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
    log.info("{} started (pid {})", name, process.pid());
  }

  /** CPU time the running process has used so far (all its threads), zero when not known. */
  public synchronized java.time.Duration cpuTime() {
    return process == null ? java.time.Duration.ZERO : process.info().totalCpuDuration().orElse(java.time.Duration.ZERO);
  }

  public synchronized boolean alive() {
    return process != null && process.isAlive();
  }

  /** SIGKILL: the process gets no chance to finish anything. */
  public synchronized void kill() {
    if (alive()) {
      process.destroyForcibly();
      awaitExit(10);
      log.info("{} killed", name);
    }
  }

  /** SIGTERM and wait for a clean exit. */
  public synchronized void stop() {
    if (alive()) {
      process.destroy();
      if (!awaitExit(60)) {
        process.destroyForcibly();
        awaitExit(10);
      }
      log.info("{} stopped", name);
    }
  }

  /** SIGSTOP: frozen, its sockets open, its consumer session running out. */
  public synchronized void freeze() {
    signal("STOP");
  }

  /** SIGCONT after {@link #freeze()}. */
  public synchronized void thaw() {
    signal("CONT");
  }

  private void signal(String signal) {
    if (!alive()) {
      return;
    }
    io.spillway.devstack.Signals.send(process, signal);
    log.info("{} sent SIG{}", name, signal);
  }

  private boolean awaitExit(int seconds) {
    try {
      return process.waitFor(seconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    thaw();
    stop();
  }
}

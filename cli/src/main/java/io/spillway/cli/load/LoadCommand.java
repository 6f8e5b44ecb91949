package io.spillway.cli.load;

import com.fasterxml.jackson.databind.JsonNode;
import io.spillway.cli.GlobalOptions;
import io.spillway.cli.UsageError;
import io.spillway.schemas.Json;
import io.spillway.schemas.env.SpillwayEnv;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code spillway load}: a load generator against the HTTP API. Closed loop ({@code --users N},
 * optional think time) or open loop ({@code --rate R}: a fixed arrival rate, latency measured
 * from each request's intended send time, so a stall cannot hide behind coordinated omission).
 * Prints one progress line a second (to stderr) and, at the end, the table of the seed article's
 * load tool plus percentiles, errors by status and cause, and end-to-end completion latency of a
 * sample of jobs. Traffic is bounded in count and time and stops by itself.
 */
@Command(name = "load", mixinStandardHelpOptions = true, description = "Load-test the API: closed loop (--users) or open loop (--rate), with profiles such as black-friday.")
public final class LoadCommand implements Callable<Integer> {

  @Mixin GlobalOptions global;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--users", description = "Closed loop: this many virtual users, each sending as soon as its last answer came") Integer users;
  @Option(names = "--think", defaultValue = "0ms", description = "Closed loop: pause between a user's requests (default ${DEFAULT-VALUE})") String think;
  @Option(names = "--rate", description = "Open loop: requests per second, sent on schedule whatever the answers") Double rate;
  @Option(names = "--connections", defaultValue = "1000", description = "Open loop: at most this many requests in flight (default ${DEFAULT-VALUE}); later ones wait, and their wait counts in their latency")
  int connections;
  @Option(names = "--duration", defaultValue = "30s", description = "How long (default ${DEFAULT-VALUE}; at most 1h)") String duration;
  @Option(names = "--profile", defaultValue = "constant", description = "constant, ramp or black-friday (a tenfold spike in the middle third)") String profile;
  @Option(names = "--payment-share", defaultValue = "0.5", description = "Share of payments among the jobs (default ${DEFAULT-VALUE})") double paymentShare;
  @Option(names = "--repeat-share", defaultValue = "0.3", description = "Share of predictions that repeat an earlier input (default ${DEFAULT-VALUE})") double repeatShare;
  @Option(names = "--sample", defaultValue = "200", description = "Jobs whose completion is polled for end-to-end latency (default ${DEFAULT-VALUE})") int sample;
  @Option(names = "--report", paramLabel = "FILE.html", description = "Write a self-contained HTML report") Path report;

  @Override
  public Integer call() throws Exception {
    if ((users == null) == (rate == null)) {
      throw new UsageError("choose one mode: --users N (closed loop) or --rate R (open loop)");
    }
    Duration length = SpillwayEnv.parseDuration("--duration", duration);
    if (length.isZero() || length.compareTo(Duration.ofHours(1)) > 0) {
      throw new UsageError("--duration must be between 1s and 1h");
    }
    if ((users != null && (users < 1 || users > 20_000)) || (rate != null && (rate <= 0 || rate > 200_000))) {
      throw new UsageError("--users must be 1..20000 and --rate 0..200000");
    }
    if (paymentShare < 0 || paymentShare > 1 || repeatShare < 0 || repeatShare > 1) {
      throw new UsageError("--payment-share and --repeat-share are fractions from 0 to 1");
    }
    Profile shape;
    try {
      shape = Profile.valueOf(profile.toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new UsageError("--profile must be constant, ramp or black-friday, not '" + profile + "'");
    }
    String key = global.requireApiKey();
    Duration pause = SpillwayEnv.parseDuration("--think", think);

    LoadRecorder recorder = new LoadRecorder();
    ConcurrentLinkedQueue<String> sampled = new ConcurrentLinkedQueue<>();
    AtomicInteger toSample = new AtomicInteger(sample);
    ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
    HttpClient http = HttpClient.newBuilder().executor(pool).version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    Workload workload = new Workload(paymentShare, repeatShare);
    AtomicBoolean running = new AtomicBoolean(true);
    long start = System.nanoTime();
    PrintWriter err = spec.commandLine().getErr();
    Thread ticker = Thread.ofPlatform().daemon().start(() -> progress(recorder, start, length, running, err));

    java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(rate != null ? Math.max(1, connections) : Integer.MAX_VALUE);
    Sender sender = (intendedNanos, job) -> {
      recorder.sent();
      inFlight.acquireUninterruptibly();
      try {
        sendOne(http, key, job, intendedNanos, recorder, sampled, toSample);
      } finally {
        inFlight.release();
      }
    };

    if (rate != null) {
      openLoop(sender, workload, shape, length, start, pool);
    } else {
      closedLoop(sender, workload, shape, length, start, pause, pool);
    }
    pool.shutdown();
    pool.awaitTermination(35, TimeUnit.SECONDS);
    running.set(false);
    ticker.join();
    long elapsedNanos = System.nanoTime() - start;
    recorder.tick(elapsedNanos / 1_000_000_000L);
    Histogram completion = completions(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(), key, List.copyOf(sampled));

    LoadReport result = new LoadReport(users != null ? "closed" : "open", users != null ? users : 0, rate != null ? rate : 0,
        shape, elapsedNanos / 1e9, recorder, completion);
    PrintWriter out = spec.commandLine().getOut();
    out.print(global.json ? result.toJson().toString() + "\n" : result.toTable());
    out.flush();
    if (report != null) {
      Files.writeString(report, result.toHtml());
      err.println("report written to " + report);
      err.flush();
    }
    return 0;
  }

  private void sendOne(HttpClient http, String key, Workload.Job job, long intendedNanos, LoadRecorder recorder,
      ConcurrentLinkedQueue<String> sampled, AtomicInteger toSample) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(global.api + job.path())).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(job.body())).build();
    String outcome;
    try {
      HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString());
      outcome = String.valueOf(answer.statusCode());
      if (answer.statusCode() == 202 && toSample.getAndDecrement() > 0) {
        sampled.add(Json.mapper().readTree(answer.body()).path("jobId").asText());
      }
    } catch (HttpTimeoutException e) {
      outcome = "timeout";
    } catch (ConnectException e) {
      outcome = "connect";
    } catch (IOException e) {
      outcome = "io";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    recorder.record((System.nanoTime() - intendedNanos) / 1000, outcome);
  }

  @FunctionalInterface
  interface Sender {
    void send(long intendedNanos, Workload.Job job);
  }

  /** Requests leave on schedule; each one's latency counts from when it should have left. */
  private void openLoop(Sender sender, Workload workload, Profile shape, Duration length, long start, ExecutorService pool) {
    SplittableRandom random = new SplittableRandom(1);
    long end = start + length.toNanos();
    long next = start;
    while (next < end) {
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      long intended = next;
      Workload.Job job = workload.next(random);
      pool.execute(() -> sender.send(intended, job));
      double current = rate * shape.multiplier(Duration.ofNanos(next - start), length);
      next += (long) (1e9 / current);
    }
  }

  /** Each virtual user sends, waits for the answer, thinks, and sends again. */
  private void closedLoop(Sender sender, Workload workload, Profile shape, Duration length, long start, Duration pause, ExecutorService pool)
      throws InterruptedException {
    long end = start + length.toNanos();
    int peak = (int) Math.ceil(users * (shape == Profile.BLACK_FRIDAY ? 10 : 1));
    for (int u = 0; u < peak; u++) {
      int index = u;
      pool.execute(() -> {
        SplittableRandom random = new SplittableRandom(index);
        while (System.nanoTime() < end) {
          double active = users * shape.multiplier(Duration.ofNanos(System.nanoTime() - start), length);
          if (index >= Math.ceil(active)) {
            LockSupport.parkNanos(50_000_000L);
            continue;
          }
          long sent = System.nanoTime();
          sender.send(sent, workload.next(random));
          if (!pause.isZero()) {
            LockSupport.parkNanos(pause.toNanos());
          }
        }
      });
    }
    TimeUnit.NANOSECONDS.sleep(Math.max(0, end - System.nanoTime()));
  }

  private static void progress(LoadRecorder recorder, long start, Duration length, AtomicBoolean running, PrintWriter err) {
    long second = 0;
    while (running.get()) {
      LockSupport.parkNanos(start + (second + 1) * 1_000_000_000L - System.nanoTime());
      if (!running.get()) {
        return;
      }
      Histogram h = recorder.tick(second);
      second++;
      err.printf(Locale.ROOT, "load %3ds/%ds  sent %,d  answered %,d  %,d/s  p50 %.1f ms  p99 %.1f ms  max %.1f ms%n",
          second, length.toSeconds(), recorder.sentCount(), recorder.completedCount(), h.getTotalCount(),
          h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0);
      err.flush();
    }
  }

  /** Polls sampled jobs until they are done; the histogram holds submit → completion in µs. */
  private Histogram completions(HttpClient http, String key, List<String> jobIds) throws InterruptedException {
    Histogram h = new Histogram(LoadRecorder.HIGHEST_MICROS, 3);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    for (String id : jobIds) {
      while (System.nanoTime() < deadline) {
        try {
          HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(global.api + "/v1/jobs/" + id + "?waitMs=5000"))
              .header("Authorization", "Bearer " + key).timeout(Duration.ofSeconds(15)).GET().build(), HttpResponse.BodyHandlers.ofString());
          JsonNode job = Json.mapper().readTree(answer.body());
          if (job.hasNonNull("completedAt") && job.hasNonNull("submittedAt")) {
            long micros = Duration.between(Instant.parse(job.get("submittedAt").asText()), Instant.parse(job.get("completedAt").asText())).toNanos() / 1000;
            h.recordValue(Math.min(LoadRecorder.HIGHEST_MICROS, Math.max(0, micros)));
            break;
          }
        } catch (IOException e) {
          Thread.sleep(200);
        }
      }
    }
    return h;
  }


}

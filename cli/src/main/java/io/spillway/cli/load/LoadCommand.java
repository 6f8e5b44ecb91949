package io.spillway.cli.load;

import com.fasterxml.jackson.databind.JsonNode;
import io.spillway.cli.GlobalOptions;
import io.spillway.cli.UsageError;
import io.spillway.schemas.Json;
import io.spillway.schemas.env.SpillwayEnv;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongToDoubleFunction;
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
  @Option(names = "--warm-up", defaultValue = "0s", description = "First send at the starting rate (or users) for this long, unmeasured, on the same connections, as wrk2's calibration does: the server's JIT and pools settle before the clock starts (default ${DEFAULT-VALUE}; at most 10m)") String warmUp;
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
    Duration length = durationOption("--duration", duration);
    if (length.isZero() || length.compareTo(Duration.ofHours(1)) > 0) {
      throw new UsageError("--duration must be between 1s and 1h");
    }
    Duration warmUpLength = durationOption("--warm-up", warmUp);
    if (warmUpLength.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new UsageError("--warm-up must be at most 10m");
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
    long elapsedNanos;
    Histogram stalls;
    Duration pause = durationOption("--think", think);

    LoadRecorder recorder = new LoadRecorder();
    List<String> sampled = new ArrayList<>();
    Workload workload = new Workload(paymentShare, repeatShare);
    int peakUsers = users == null ? 0 : (int) Math.ceil(users * (shape == Profile.BLACK_FRIDAY ? 10 : 1));
    // one thread drives every connection (see HttpLoadClient): open loop at most --connections in
    // flight, closed loop one connection per virtual user
    PrintWriter err = spec.commandLine().getErr();
    HttpLoadClient.warmUp(key, workload, rate != null ? rate : 20_000);
    // the bodies of the sampled 202 answers are only kept during the test and parsed after it: the
    // generator's one thread must not stop for anything while the clock runs (the first JSON parse
    // of the run loads and sets up Jackson, a quarter of a second in which no request was sent or
    // read, so the whole schedule fell behind by that much and the first second measured the
    // generator, not the server)
    List<String> acceptedBodies = new ArrayList<>(Math.max(0, sample));
    // the load curve and the progress thread are set up before the clock starts, for the same reason
    LongToDoubleFunction load = rate != null
        ? sinceStart -> rate * shape.multiplier(Duration.ofNanos(sinceStart), length)
        : sinceStart -> users * shape.multiplier(Duration.ofNanos(sinceStart), length);
    load.applyAsDouble(0);
    try (HttpLoadClient client = new HttpLoadClient(global.api, key, rate != null ? connections : peakUsers, rate != null, acceptedBodies::add)) {
      client.connectAll(Duration.ofSeconds(10));
      if (!warmUpLength.isZero()) {
        err.printf(Locale.ROOT, "load warm-up %ds (not measured)…%n", warmUpLength.toSeconds());
        err.flush();
        long from = System.nanoTime();
        double startLoad = load.applyAsDouble(0);
        if (rate != null) {
          client.runOpen(workload, sinceStart -> startLoad, from, from + warmUpLength.toNanos());
        } else {
          client.runClosed(peakUsers, sinceStart -> startLoad, pause, workload, from, from + warmUpLength.toNanos());
        }
      }
      client.measureInto(recorder, sample);
      if (!warmUpLength.isZero()) {
        err.printf(Locale.ROOT, "load warm-up done; measuring for %ds%n", length.toSeconds());
        err.flush();
      }
      AtomicBoolean running = new AtomicBoolean(true);
      CountDownLatch started = new CountDownLatch(1);
      long[] startBox = new long[1];
      Thread ticker = Thread.ofPlatform().daemon().start(() -> {
        try {
          started.await();
        } catch (InterruptedException e) {
          return;
        }
        progress(recorder, startBox[0], length, running, err);
      });
      Hiccups hiccups = Hiccups.start();
      long start = System.nanoTime();
      long end = start + length.toNanos();
      startBox[0] = start;
      started.countDown();
      try {
        if (rate != null) {
          client.runOpen(workload, load, start, end);
        } else {
          client.runClosed(peakUsers, load, pause, workload, start, end);
        }
      } finally {
        running.set(false);
        ticker.interrupt();
        ticker.join();
        stalls = hiccups.stop();
      }
      elapsedNanos = System.nanoTime() - start;
    }
    for (String body : acceptedBodies) {
      sampleJobId(body, sampled);
    }
    recorder.tick(elapsedNanos / 1_000_000_000L);
    Histogram completion = completions(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(), key, List.copyOf(sampled), err);

    LoadReport result = new LoadReport(users != null ? "closed" : "open", users != null ? users : 0, rate != null ? rate : 0,
        shape, elapsedNanos / 1e9, recorder, stalls, completion);
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

  private static Duration durationOption(String name, String value) {
    try {
      return SpillwayEnv.parseDuration(name, value);
    } catch (io.spillway.schemas.env.ConfigException e) {
      throw new UsageError(e.getMessage());
    }
  }

  /** Keeps the job id of the first {@code --sample} accepted jobs, to poll for their completion. */
  private static void sampleJobId(String body, List<String> sampled) {
    try {
      sampled.add(Json.mapper().readTree(body).path("jobId").asText());
    } catch (IOException e) {
      // a 202 without a readable body: nothing to sample
    }
  }

  private static void progress(LoadRecorder recorder, long start, Duration length, AtomicBoolean running, PrintWriter err) {
    long second = 0;
    while (running.get()) {
      LockSupport.parkNanos(start + (second + 1) * 1_000_000_000L - System.nanoTime());
      if (!running.get() || System.nanoTime() < start + (second + 1) * 1_000_000_000L) {
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

  private static final Duration COMPLETION_WAIT = Duration.ofSeconds(60);

  /**
   * Polls sampled jobs until they are done, for at most {@link #COMPLETION_WAIT} in all; the
   * histogram holds submit → completion in µs. A job the API does not answer 200 for (unknown, or
   * the key refused) is given up at once rather than asked again and again until the deadline.
   */
  private Histogram completions(HttpClient http, String key, List<String> jobIds, PrintWriter err) throws InterruptedException {
    Histogram h = new Histogram(LoadRecorder.HIGHEST_MICROS, 3);
    if (jobIds.isEmpty()) {
      return h;
    }
    err.printf(Locale.ROOT, "load done; waiting up to %ds for %d sampled jobs to complete (end-to-end latency)…%n", COMPLETION_WAIT.toSeconds(), jobIds.size());
    err.flush();
    long deadline = System.nanoTime() + COMPLETION_WAIT.toNanos();
    int unknown = 0;
    for (String id : jobIds) {
      while (System.nanoTime() < deadline) {
        try {
          HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(global.api + "/v1/jobs/" + id + "?waitMs=5000"))
              .header("Authorization", "Bearer " + key).timeout(Duration.ofSeconds(15)).GET().build(), HttpResponse.BodyHandlers.ofString());
          if (answer.statusCode() != 200) {
            unknown++;
            break;
          }
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
    err.printf(Locale.ROOT, "load sampled jobs: %d of %d completed%s%n", h.getTotalCount(), jobIds.size(),
        unknown > 0 ? "; " + unknown + " not answered 200 by GET /v1/jobs/{id}"
            : h.getTotalCount() < jobIds.size() ? " in " + COMPLETION_WAIT.toSeconds() + "s (are the workers running?)" : "");
    err.flush();
    return h;
  }
}

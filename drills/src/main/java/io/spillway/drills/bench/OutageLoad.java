package io.spillway.drills.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * An open-loop load of {@code POST /v1/jobs/payment} at a fixed arrival rate for
 * {@link IngestOutageBench}. One thread sends each request at its intended time without waiting
 * for any answer (the HTTP client is asynchronous), so a slow answer delays no later request; each
 * latency counts from the intended send time, so a stalled sender cannot hide it (no coordinated
 * omission). Every request is counted in the phase current when it was sent. Prints a progress
 * line each second.
 */
final class OutageLoad implements AutoCloseable {

  private static final String[] CURRENCIES = {"EUR", "USD", "GBP", "SEK", "CHF"};
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).version(HttpClient.Version.HTTP_1_1).build();
  private final URI endpoint;
  private final String apiKey;
  private final long intervalNanos;
  private final List<PhaseTally> phases = new ArrayList<>();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong answered = new AtomicLong();
  private final ScheduledExecutorService progress =
      Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("outage-progress").unstarted(r));
  private final Thread sender = Thread.ofPlatform().name("outage-sender").unstarted(this::send);
  private final long startNanos = System.nanoTime();
  private volatile PhaseTally current;
  private final Object recoveryLock = new Object();
  private long recoveryMarkNanos = Long.MAX_VALUE;
  private long firstAcceptedNanos = Long.MAX_VALUE;
  private volatile boolean running = true;

  OutageLoad(String api, String apiKey, int rate) {
    this.endpoint = URI.create(api + "/v1/jobs/payment");
    this.apiKey = apiKey;
    this.intervalNanos = 1_000_000_000L / rate;
  }

  /** Starts sending, counting the requests in the first phase. */
  void start(String firstPhase) {
    phase(firstPhase);
    sender.start();
    progress.scheduleAtFixedRate(this::printProgress, 1, 1, TimeUnit.SECONDS);
  }

  /** From now on, requests sent count in this phase. */
  synchronized void phase(String name) {
    long now = System.nanoTime();
    if (current != null) {
      current.ended(now);
    }
    current = new PhaseTally(name, now);
    phases.add(current);
  }

  /** Starts the recovery clock: the broker is back as of now. */
  void markRecovery() {
    synchronized (recoveryLock) {
      recoveryMarkNanos = System.nanoTime();
      firstAcceptedNanos = Long.MAX_VALUE;
    }
  }

  /** Milliseconds from {@link #markRecovery()} to the first 202 answered after it; empty if none yet. */
  OptionalDouble recoveryMillis() {
    synchronized (recoveryLock) {
      return firstAcceptedNanos == Long.MAX_VALUE ? OptionalDouble.empty() : OptionalDouble.of((firstAcceptedNanos - recoveryMarkNanos) / 1e6);
    }
  }

  /** Every phase's figures, in order; call after {@link #close()}. */
  synchronized List<PhaseTally.Report> reports() {
    return phases.stream().map(PhaseTally::report).toList();
  }

  private void send() {
    SplittableRandom random = new SplittableRandom(7);
    long start = System.nanoTime();
    for (long seq = 0; running; seq++) {
      long due = start + seq * intervalNanos;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      PhaseTally tally = current;
      tally.sent();
      sent.incrementAndGet();
      http.sendAsync(request(random), HttpResponse.BodyHandlers.discarding())
          .whenComplete((response, error) -> answered(tally, due, response));
    }
  }

  private HttpRequest request(SplittableRandom random) {
    String body = String.format(java.util.Locale.ROOT, "{\"accountId\":\"acc-%d\",\"amountMinor\":%d,\"currency\":\"%s\",\"merchantId\":\"m-%d\"}",
        random.nextInt(1, 10_001), random.nextLong(100, 500_001), CURRENCIES[random.nextInt(CURRENCIES.length)], random.nextInt(1, 2001));
    return HttpRequest.newBuilder(endpoint)
        .timeout(REQUEST_TIMEOUT)
        .header("Authorization", "Bearer " + apiKey)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  /** Records an answer; a null response is a transport error (refused, reset, timed out). */
  private void answered(PhaseTally tally, long dueNanos, HttpResponse<Void> response) {
    long now = System.nanoTime();
    int status = response == null ? 0 : response.statusCode();
    boolean retryAfter = response != null && response.headers().firstValue("Retry-After").isPresent();
    tally.record(status, retryAfter, now - dueNanos);
    if (status == 202) {
      synchronized (recoveryLock) {
        if (now >= recoveryMarkNanos) {
          firstAcceptedNanos = Math.min(firstAcceptedNanos, now);
        }
      }
    }
    answered.incrementAndGet();
  }

  private void printProgress() {
    System.out.printf("outage: %3d s  phase %-16s sent %,9d  answered %,9d%n",
        (System.nanoTime() - startNanos) / 1_000_000_000L, current.name(), sent.get(), answered.get());
  }

  /** Stops sending and waits for the answers still outstanding (each times out after 10 s). */
  @Override
  public void close() throws InterruptedException {
    running = false;
    sender.join();
    synchronized (this) {
      if (current != null) {
        current.ended(System.nanoTime());
      }
    }
    long deadline = System.nanoTime() + REQUEST_TIMEOUT.plusSeconds(5).toNanos();
    while (answered.get() < sent.get() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    progress.shutdownNow();
    http.close();
  }
}

package io.spillway.drills.bench;

import io.spillway.devstack.PgEndpoint;
import io.spillway.devstack.TopicCreator;
import io.spillway.drills.infra.ServiceProcess;
import io.spillway.schemas.JobEnvelope;
import io.spillway.schemas.JobResult;
import io.spillway.schemas.JobType;
import io.spillway.schemas.Json;
import io.spillway.schemas.PaymentResult;
import io.spillway.schemas.PaymentInput;
import io.spillway.schemas.PredictionInput;
import io.spillway.schemas.PredictionResult;
import io.spillway.schemas.RedisKeys;
import io.spillway.schemas.Topic;
import io.spillway.schemas.Topics;
import io.spillway.schemas.env.SpillwayEnv;
import java.io.StringReader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.postgresql.PGConnection;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.RedisClient;

/**
 * The workers benchmark ({@code scripts/bench-workers.sh}). With both types asked for it runs three
 * drains, each on topics and a tenant of its own: the predictions alone, the payments alone (each
 * type's capacity), then both at once (sharing the machine). Each drain preloads Kafka with its jobs
 * (half the prediction inputs repeated, payments over many accounts), measures the raw baselines on
 * the same jobs — PostgreSQL COPY of their rows, Redis pipelined SET of as many keys — then starts
 * the workers from their jar and measures how fast they drain everything into PostgreSQL and Redis,
 * with progress every second. A SIGKILL phase follows. Prints a markdown table, a column per drain.
 *
 * <p>Arguments: predictions payments accounts workersJar resultsFile. Infrastructure from the
 * {@code SPILLWAY_*} environment.
 */
public final class WorkersBench {

  private static final String TENANT = "bench";
  private static final String KILL_TENANT = "benchkill";
  private static final String BASELINE_KEYS = "bench:baseline:";
  private static final int KILLS = 3;

  private WorkersBench() {}

  public static void main(String[] args) throws Exception {
    int predictions = Integer.parseInt(args[0]);
    int payments = Integer.parseInt(args[1]);
    int accounts = Integer.parseInt(args[2]);
    Path workersJar = Path.of(args[3]);
    Path results = Path.of(args[4]);
    SpillwayEnv env = SpillwayEnv.system();
    String bootstrap = env.bootstrap(SpillwayEnv.KAFKA_BOOTSTRAP, SpillwayEnv.DEFAULT_KAFKA_BOOTSTRAP);
    Topics topics = Topics.withPrefix(env.string(SpillwayEnv.TOPIC_PREFIX, ""));
    PgEndpoint db = new PgEndpoint(env.jdbcUrl(SpillwayEnv.PG_URL, SpillwayEnv.DEFAULT_PG_URL),
        env.string(SpillwayEnv.PG_USER, SpillwayEnv.DEFAULT_PG_USER), env.secret(SpillwayEnv.PG_PASSWORD, ""));
    URI redis = env.redisUri(SpillwayEnv.REDIS_URL, SpillwayEnv.DEFAULT_REDIS_URL);
    Bench bench = new Bench(bootstrap, topics, db, redis, workersJar, ScratchDir.create("bench-workers", "the workers' logs"), accounts);

    // Each type's capacity alone, then both at once sharing the machine: a mixed drain's per-type
    // rates depend on the mix, as both types share the same cores.
    List<Phase> phases = predictions > 0 && payments > 0
        ? List.of(new Phase("predictions alone", "q", predictions, 0), new Phase("payments alone", "p", 0, payments),
            new Phase("both at once", "qp", predictions, payments))
        : List.of(new Phase(predictions > 0 ? "predictions" : "payments", predictions > 0 ? "q" : "p", predictions, payments));
    List<Drained> drains = new ArrayList<>();
    for (Phase phase : phases) {
      drains.add(drain(bench, phase));
    }
    int killPayments = Math.max(20_000, payments / 4);
    KillReport kills = killPhase(bench, killPayments);
    String table = table(drains, accounts, killPayments, kills);
    System.out.print(table);
    Files.writeString(results, table, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    ScratchDir.remove(bench.logs());
  }

  /** What every phase shares: the infrastructure, the workers' jar and log directory, the accounts. */
  private record Bench(String bootstrap, Topics topics, PgEndpoint db, URI redis, Path workersJar, Path logs, int accounts) {

    /** The workers' environment, on the given topics. */
    Map<String, String> workerEnv(Topics on) {
      Map<String, String> workerEnv = new HashMap<>(System.getenv());
      workerEnv.put(SpillwayEnv.METRICS_PORT, "0");
      workerEnv.put(SpillwayEnv.TOPIC_PREFIX, on.prefix());
      return workerEnv;
    }
  }

  /** One drain: its jobs on topics and under a tenant of their own ({@code slug}). */
  private record Phase(String name, String slug, int predictions, int payments) {
    int total() {
      return predictions + payments;
    }
  }

  /** What one drain measured, with the baselines measured on its rows just before it. */
  private record Drained(Phase phase, double seconds, double predictionSeconds, double paymentSeconds, double workerCpuSeconds, double machineBusy,
      String cpuByRole, String sustained, double copyRate, double durableCopyRate, double setRate) {}

  /**
   * Preloads the phase's jobs, measures the baselines on them, then starts the workers and
   * measures the drain, with progress every second.
   */
  private static Drained drain(Bench bench, Phase phase) throws Exception {
    Topics topics = Topics.withPrefix(bench.topics().prefix() + phase.slug() + ".");
    TopicCreator.create(bench.bootstrap(), topics, (short) 1);
    String tenant = TENANT + "-" + phase.slug();
    System.out.printf("== %s: %,d predictions + %,d payments%n", phase.name(), phase.predictions(), phase.payments());
    long t0 = System.nanoTime();
    Preloaded preloaded = preload(bench.bootstrap(), topics, phase.predictions(), phase.payments(), bench.accounts(), tenant);
    System.out.printf("preloaded %,d jobs in %.1f s%n", phase.total(), (System.nanoTime() - t0) / 1e9);
    double copyRate = copyBaseline(bench.db(), preloaded.jobRows(), phase.total(), "TEMP TABLE bench_copy (LIKE jobs INCLUDING DEFAULTS)");
    System.out.printf("baseline: PostgreSQL COPY of the same job rows into an unindexed temporary table %,.0f rows/s%n", copyRate);
    double durableCopyRate = copyBaseline(bench.db(), preloaded.jobRows(), phase.total(), "TABLE bench_copy (LIKE jobs INCLUDING ALL)");
    System.out.printf("baseline: PostgreSQL COPY of the same job rows into a table like jobs %,.0f rows/s%n", durableCopyRate);
    double setRate = redisBaseline(bench.redis(), phase.total());
    System.out.printf("baseline: Redis pipelined SET %,.0f keys/s%n", setRate);

    long start = System.nanoTime();
    MachineCpu machineAtStart = MachineCpu.read();
    ProcessCpu processesAtStart = ProcessCpu.read();
    double predictionSeconds = phase.predictions() == 0 ? 0 : Double.NaN;
    double paymentSeconds = phase.payments() == 0 ? 0 : Double.NaN;
    List<Progress> progress = new ArrayList<>();
    // progress from the consumer groups' committed offsets, a cheap request: a worker commits an
    // offset only once the rows before it are durable in PostgreSQL. Counting terminal rows in
    // PostgreSQL instead costs a scan of the growing jobs table — at a million rows most of a second
    // of PostgreSQL's CPU every second, taken from the system under test — so it is done once, at
    // the end, to confirm that every job is terminal there.
    try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", bench.bootstrap()));
        ServiceProcess workers = new ServiceProcess("bench-workers-" + phase.slug(), ServiceProcess.WORKER_JVM, bench.workersJar(), bench.workerEnv(topics), bench.logs())) {
      workers.start();
      MachineCpu lastSample = machineAtStart;
      double lastPrinted = 0;
      long lastDone = 0;
      double lastProgress = 0;
      while (true) {
        // a drain's end is seen within a quarter of a second; progress is printed every second
        Thread.sleep(250);
        long donePredictions = committed(admin, JobType.PREDICTION, topics);
        long donePayments = committed(admin, JobType.PAYMENT, topics);
        double elapsed = (System.nanoTime() - start) / 1e9;
        progress.add(new Progress(elapsed, donePredictions + donePayments, workers.cpuTime().toNanos() / 1e9));
        if (Double.isNaN(predictionSeconds) && donePredictions >= phase.predictions()) {
          predictionSeconds = elapsed;
        }
        if (Double.isNaN(paymentSeconds) && donePayments >= phase.payments()) {
          paymentSeconds = elapsed;
        }
        boolean done = donePredictions >= phase.predictions() && donePayments >= phase.payments();
        boolean doneJustNow = done && Math.max(predictionSeconds, paymentSeconds) == elapsed;
        // the rest once a second, or at once when the last offset was committed: the count of
        // terminal rows scans the jobs table, on PostgreSQL's CPU
        if (elapsed - lastPrinted < 1 && !doneJustNow) {
          continue;
        }
        MachineCpu sample = MachineCpu.read();
        System.out.printf("drain: %5.1f s  predictions %,d of %,d  payments %,d of %,d  (%,.0f jobs/s, committed offsets; machine %.0f%% busy)%n", elapsed,
            donePredictions, phase.predictions(), donePayments, phase.payments(), (donePredictions + donePayments) / elapsed, sample.busySince(lastSample) * 100);
        lastSample = sample;
        lastPrinted = elapsed;
        if (done) {
          long terminal = terminal(bench.db(), tenant).values().stream().mapToLong(Long::longValue).sum();
          if (terminal >= phase.total()) {
            break;
          }
          System.out.printf("drain: every offset committed, %,d of %,d jobs terminal in PostgreSQL (retries under way)%n", terminal, phase.total());
        }
        if (donePredictions + donePayments > lastDone) {
          lastDone = donePredictions + donePayments;
          lastProgress = elapsed;
        }
        if (elapsed - lastProgress > 120 || !workers.alive()) {
          throw new IllegalStateException(String.format(java.util.Locale.ROOT,
              "the workers did not drain the backlog: %,d of %,d jobs committed, none for %.0f s (workers alive: %b)",
              donePredictions + donePayments, phase.total(), elapsed - lastProgress, workers.alive()));
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      Drained drained = new Drained(phase, seconds, predictionSeconds, paymentSeconds, workers.cpuTime().toNanos() / 1e9,
          MachineCpu.read().busySince(machineAtStart),
          ProcessCpu.shares(ProcessCpu.read().secondsSince(processesAtStart), seconds, Runtime.getRuntime().availableProcessors()),
          sustained(progress, phase.total()), copyRate, durableCopyRate, setRate);
      removeKeys(bench.redis(), preloaded.redisKeys(), "the drain's");
      return drained;
    }
  }

  /** The results: a column per drain, then the SIGKILL phase. */
  private static String table(List<Drained> drains, int accounts, int killPayments, KillReport kills) {
    int cores = Runtime.getRuntime().availableProcessors();
    StringBuilder t = new StringBuilder();
    t.append(fmt("## Workers benchmark %s — %d cores, broker + PostgreSQL + Redis + workers on one machine%n%n", Instant.now(), cores));
    t.append("| measure |");
    drains.forEach(d -> t.append(' ').append(d.phase().name()).append(" |"));
    t.append("\n| --- |").append(" --- |".repeat(drains.size())).append('\n');
    row(t, drains, fmt("jobs preloaded (%,d accounts; half the prediction inputs repeated)", accounts),
        d -> fmt("%,d predictions + %,d payments", d.phase().predictions(), d.phase().payments()));
    row(t, drains, "drain time (workers start → all terminal in PostgreSQL, incl. JVM start-up)", d -> fmt("%.1f s", d.seconds()));
    row(t, drains, "jobs/s drained, all", d -> fmt("%,.0f", d.phase().total() / d.seconds()));
    row(t, drains, "predictions drained/s", d -> drained(d.phase().predictions(), d.predictionSeconds()));
    row(t, drains, "payments drained/s", d -> drained(d.phase().payments(), d.paymentSeconds()));
    row(t, drains, "worker process CPU during the drain (incl. start-up and JIT)",
        d -> fmt("%.1f s, %.0f µs per job", d.workerCpuSeconds(), d.workerCpuSeconds() * 1e6 / d.phase().total()));
    row(t, drains, "sustained, from 20% to 80% of the jobs committed (past start-up and most JIT)", Drained::sustained);
    row(t, drains, "whole machine CPU busy during the drain (every process, " + cores + " cores)", d -> fmt("%.0f%%", d.machineBusy() * 100));
    row(t, drains, "the machine's CPU during the drain, by process", Drained::cpuByRole);
    row(t, drains, "baseline: PostgreSQL COPY of the same job rows (inputs and results) into an unindexed temporary table (no WAL)",
        d -> fmt("%,.0f rows/s", d.copyRate()));
    row(t, drains, "baseline: PostgreSQL COPY of the same job rows into a table like jobs (logged, its keys and indexes), as the workers must write them",
        d -> fmt("%,.0f rows/s", d.durableCopyRate()));
    row(t, drains, "baseline: Redis pipelined SET of as many keys", d -> fmt("%,.0f keys/s", d.setRate()));
    row(t, drains, "predictions drained / COPY (the temporary table's)",
        d -> d.phase().predictions() == 0 ? "none preloaded" : fmt("%.3f", d.phase().predictions() / d.predictionSeconds() / d.copyRate()));
    row(t, drains, "predictions drained / COPY into a table like jobs",
        d -> d.phase().predictions() == 0 ? "none preloaded" : fmt("%.3f", d.phase().predictions() / d.predictionSeconds() / d.durableCopyRate()));
    row(t, drains, "all drained / COPY (the temporary table's)", d -> fmt("%.3f", d.phase().total() / d.seconds() / d.copyRate()));
    row(t, drains, "all drained / Redis SET", d -> fmt("%.3f", d.phase().total() / d.seconds() / d.setRate()));
    t.append(String.format(java.util.Locale.ROOT, """

        | SIGKILL phase | value |
        | --- | --- |
        | payments drained while the worker was killed %d times mid-batch and restarted | %,d in %.1f s |
        | payments without a ledger entry (lost) | %d |
        | extra ledger entries (duplicated) | %d |
        | accounts whose running total differs from their approved ledger entries (all phases) | %d of %,d |

        """, KILLS, killPayments, kills.seconds(), kills.lost(), kills.duplicated(), kills.badTotals(), kills.accounts()));
    return t.toString();
  }

  private static void row(StringBuilder t, List<Drained> drains, String measure, java.util.function.Function<Drained, String> value) {
    t.append("| ").append(measure).append(" |");
    drains.forEach(d -> t.append(' ').append(value.apply(d)).append(" |"));
    t.append('\n');
  }

  private static String fmt(String format, Object... args) {
    return String.format(java.util.Locale.ROOT, format, args);
  }

  /** A type's drain rate, with how many and when the last one ended; "none preloaded" for none. */
  private static String drained(int jobs, double seconds) {
    return jobs == 0 ? "none preloaded"
        : String.format(java.util.Locale.ROOT, "%,.0f (all %,d terminal after %.1f s)", jobs / seconds, jobs, seconds);
  }

  /** One progress sample: seconds since the workers started, jobs committed, the worker's CPU seconds. */
  private record Progress(double seconds, long done, double workerCpu) {}

  /**
   * The drain between the samples where 20% and 80% of the jobs were committed: the rate the
   * workers sustain once started and compiled, and their CPU per job meanwhile — steadier figures
   * to compare changes by than the whole drain, which includes JVM start-up and JIT compilation.
   */
  private static String sustained(List<Progress> samples, long total) {
    Progress from = samples.stream().filter(p -> p.done() >= total / 5).findFirst().orElse(null);
    Progress to = samples.stream().filter(p -> p.done() >= total * 4 / 5).findFirst().orElse(null);
    if (from == null || to == null || to.seconds() <= from.seconds()) {
      return "too short to tell";
    }
    long jobs = to.done() - from.done();
    return String.format(java.util.Locale.ROOT, "%,.0f jobs/s, worker CPU %.0f µs per job (%.0f s → %.0f s)",
        jobs / (to.seconds() - from.seconds()), (to.workerCpu() - from.workerCpu()) * 1e6 / jobs, from.seconds(), to.seconds());
  }

  /** What the SIGKILL phase found. */
  private record KillReport(double seconds, long lost, long duplicated, long badTotals, long accounts) {}

  /**
   * Preloads more payments and drains them with a worker that is killed with SIGKILL at a quarter,
   * half and three quarters of the way — whatever batch it is in the middle of — and restarted;
   * then counts lost and duplicated ledger entries and checks every account's running total.
   */
  private static KillReport killPhase(Bench bench, int payments) throws Exception {
    System.out.printf("kill phase: preloading %,d payments%n", payments);
    PgEndpoint db = bench.db();
    Set<String> redisKeys = preload(bench.bootstrap(), bench.topics(), 0, payments, bench.accounts(), KILL_TENANT).redisKeys();
    long start = System.nanoTime();
    try (ServiceProcess workers = new ServiceProcess("bench-workers-killed", ServiceProcess.WORKER_JVM, bench.workersJar(), bench.workerEnv(bench.topics()), bench.logs())) {
      workers.start();
      int kills = 0;
      long done = 0;
      while (done < payments) {
        Thread.sleep(200);
        done = terminal(db, KILL_TENANT).getOrDefault("payment", 0L);
        if (kills < KILLS && done >= (long) payments * (kills + 1) / (KILLS + 1)) {
          workers.kill();
          kills++;
          System.out.printf("kill phase: SIGKILL %d of %d at %,d of %,d payments terminal; restarting%n", kills, KILLS, done, payments);
          workers.start();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (elapsed > 600) {
          throw new IllegalStateException("the killed workers did not drain " + payments + " payments in 600 s (" + done + " terminal)");
        }
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    removeKeys(bench.redis(), redisKeys, "the kill phase's");
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      long entries = single(s, "SELECT count(*) FROM payment_ledger WHERE job_id LIKE '" + KILL_TENANT + "-p-%'");
      long distinct = single(s, "SELECT count(DISTINCT job_id) FROM payment_ledger WHERE job_id LIKE '" + KILL_TENANT + "-p-%'");
      long badTotals = single(s, """
          SELECT count(*) FROM account_totals t
          LEFT JOIN (SELECT account_id, sum(amount_minor) AS total, count(*) AS n FROM payment_ledger WHERE decision = 'APPROVED' GROUP BY account_id) l
            ON l.account_id = t.account_id
          WHERE t.total_minor <> coalesce(l.total, 0) OR t.approved <> coalesce(l.n, 0)""");
      long accountsWithTotals = single(s, "SELECT count(*) FROM account_totals");
      System.out.printf("kill phase: %,d payments, %,d ledger entries (%,d distinct jobs), %d accounts with a wrong total%n", payments, entries, distinct, badTotals);
      return new KillReport(seconds, payments - distinct, entries - distinct, badTotals, accountsWithTotals);
    }
  }

  private static long single(Statement s, String sql) throws java.sql.SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * What the preload left: the Redis keys the workers will write for its jobs (job views and the
   * prediction cache entries of this run's inputs), for {@link #removeKeys}, and the jobs' rows as
   * the workers record them — input, a result of the same shape, four timestamps — in COPY's CSV
   * form, for the COPY baseline.
   */
  private record Preloaded(Set<String> redisKeys, String jobRows) {}

  /** Produces the jobs. */
  private static Preloaded preload(String bootstrap, Topics topics, int predictions, int payments, int accounts, String tenant) throws Exception {
    Set<String> redisKeys = new HashSet<>();
    StringBuilder jobRows = new StringBuilder((predictions + payments) * 256);
    Map<String, Object> props = Map.of("bootstrap.servers", bootstrap, "acks", "all", "linger.ms", 5, "compression.type", "lz4",
        "batch.size", 262144);
    SplittableRandom random = new SplittableRandom(7);
    // inputs of this run only: the prediction cache in Redis outlives a run (its TTL is an hour), and
    // a run must not find the previous run's inputs there — half its inputs repeat, half are new
    double run = System.currentTimeMillis() % 1_000_000 * 1e-7;
    java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicReference<Exception> firstFailure = new java.util.concurrent.atomic.AtomicReference<>();
    try (var producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < predictions + payments; i++) {
        JobEnvelope job;
        // the submission instant as the ingest API stamps it: now, to the millisecond
        Instant submittedAt = Instant.ofEpochMilli(System.currentTimeMillis());
        if (i < predictions) {
          int variant = i % 2 == 0 ? random.nextInt(1000) : 1000 + i;
          job = JobEnvelope.first(tenant + "-q-" + i, tenant, submittedAt,
              PredictionInput.of("default", Map.of("basket_total", variant * 1.5 + run, "items", (double) (variant % 17), "returning", (double) (variant % 2))));
        } else {
          job = JobEnvelope.first(tenant + "-p-" + i, tenant, submittedAt,
              new PaymentInput("acc-" + random.nextInt(accounts), 100 + random.nextInt(50_000), "EUR", "m-" + random.nextInt(500)));
        }
        redisKeys.add(RedisKeys.job(job.jobId()));
        JobResult result;
        if (job.payload() instanceof PredictionInput input) {
          redisKeys.add(RedisKeys.predictionCache(input.inputHash()));
          result = new PredictionResult(random.nextDouble(), "default-v1", i % 2 == 0);
        } else {
          result = new PaymentResult(PaymentResult.Decision.APPROVED, random.nextDouble(), i);
        }
        jobRows.append(job.jobId()).append(',').append(tenant).append(',').append(job.type().wireName()).append(",SUCCEEDED,")
            .append(csvField(Json.text(job.payload()))).append(',').append(csvField(Json.text(result))).append(",1,")
            .append(submittedAt).append(',').append(submittedAt).append(',').append(submittedAt).append(',').append(submittedAt).append('\n');
        Topic<String, JobEnvelope> topic = topics.forType(job.type());
        RecordHeaders headers = new RecordHeaders();
        producer.send(new ProducerRecord<>(topic.name(), null, job.key(), topic.valueSerde().serializer().serialize(topic.name(), headers, job), headers),
            (metadata, e) -> {
              if (e != null && failed.getAndIncrement() == 0) {
                firstFailure.set(e);
              }
            });
        if (i % 100_000 == 0 && i > 0) {
          System.out.printf("preload: %,d of %,d%n", i, predictions + payments);
        }
      }
    }
    // a job that never reached Kafka would leave the drain waiting for it
    if (failed.get() > 0) {
      throw new IllegalStateException(failed.get() + " of " + (predictions + payments) + " jobs were not preloaded", firstFailure.get());
    }
    return new Preloaded(redisKeys, jobRows.toString());
  }

  private static String csvField(String text) {
    return '"' + text.replace("\"", "\"\"") + '"';
  }

  /**
   * Removes keys the bench wrote to the shared Redis. The job views (a day's TTL) and the cache
   * entries of a run's salted inputs would otherwise pile up run after run, and a Redis holding
   * millions of keys answers each write more slowly than the one the next run should meet.
   */
  private static void removeKeys(URI uri, Collection<String> keys, String whose) {
    try (RedisClient redis = RedisClient.create(uri.getHost(), uri.getPort()); AbstractPipeline p = redis.pipelined()) {
      int n = 0;
      for (String key : keys) {
        p.unlink(key);
        if (++n % 10_000 == 0) {
          p.sync();
        }
      }
      p.sync();
    }
    System.out.printf("removed %s %,d Redis keys%n", whose, keys.size());
  }

  /**
   * COPY of the preloaded jobs' rows into a new table, dropped after: an unindexed temporary one
   * (no WAL, no index — the fastest PostgreSQL takes the rows) or one like {@code jobs}, logged,
   * with its keys and indexes (as durably as the workers must write them).
   *
   * @param table what follows {@code CREATE}: a table named {@code bench_copy}
   */
  private static double copyBaseline(PgEndpoint db, String jobRows, int rows, String table) throws Exception {
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE " + table);
      try {
        long start = System.nanoTime();
        c.unwrap(PGConnection.class).getCopyAPI().copyIn(
            "COPY bench_copy (job_id, tenant, type, status, input, result, attempts, submitted_at, enqueued_at, started_at, completed_at) FROM STDIN WITH (FORMAT csv)",
            new StringReader(jobRows));
        return rows / ((System.nanoTime() - start) / 1e9);
      } finally {
        s.execute("DROP TABLE bench_copy");
      }
    }
  }

  private static double redisBaseline(URI uri, int keys) {
    try (RedisClient redis = RedisClient.create(uri.getHost(), uri.getPort())) {
      long start = System.nanoTime();
      try (AbstractPipeline p = redis.pipelined()) {
        for (int i = 0; i < keys; i++) {
          p.setex(BASELINE_KEYS + i, 60, "{\"status\":\"SUCCEEDED\",\"result\":{\"score\":0.5}}");
          if (i % 10_000 == 0) {
            p.sync();
          }
        }
        p.sync();
      }
      double rate = keys / ((System.nanoTime() - start) / 1e9);
      // gone before the drain: left to expire, they would cost Redis CPU in the middle of it
      removeKeys(uri, java.util.stream.IntStream.range(0, keys).mapToObj(i -> BASELINE_KEYS + i).toList(), "the SET baseline's");
      return rate;
    }
  }

  /** Records of a job type's topic whose offsets its workers' consumer group has committed. */
  private static long committed(Admin admin, JobType type, Topics topics) throws Exception {
    String topic = topics.forType(type).name();
    // the workers' group of a type, as Workers.groupId names it
    String group = "spillway-workers-" + type.wireName();
    return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, java.util.concurrent.TimeUnit.SECONDS).entrySet().stream()
        .filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
        .mapToLong(e -> e.getValue().offset())
        .sum();
  }

  /** Terminal jobs of the benchmark in PostgreSQL, by type. */
  private static Map<String, Long> terminal(PgEndpoint db, String tenant) {
    Map<String, Long> counts = new HashMap<>();
    try (Connection c = db.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT type, count(*) FROM jobs WHERE tenant = '" + tenant + "' AND status IN ('SUCCEEDED','FAILED','DEAD_LETTERED') GROUP BY type")) {
      while (rs.next()) {
        counts.put(rs.getString(1), rs.getLong(2));
      }
    } catch (java.sql.SQLException e) {
      System.out.println("drain: cannot count terminal jobs: " + e.getMessage());
    }
    return counts;
  }
}

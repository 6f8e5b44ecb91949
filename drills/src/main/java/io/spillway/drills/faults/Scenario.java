package io.spillway.drills.faults;

import io.spillway.drills.infra.DrillStack;
import io.spillway.drills.infra.ServiceProcess;
import io.spillway.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** The drills a person can select by name on the command line. */
public enum Scenario {
  /** The broker is SIGKILLed and restarted. */
  BROKER_KILL,
  /** The broker is stopped cleanly and restarted. */
  BROKER_RESTART,
  /** A worker is SIGKILLed mid-batch and restarted. */
  WORKER_KILL,
  /** A worker halts right after a database commit, before its offset commit, and is restarted. */
  WORKER_KILL_AFTER_COMMIT,
  /** A worker is frozen (SIGSTOP) past its consumer session, then thawed: a zombie to fence. */
  WORKER_FREEZE,
  /** PostgreSQL is stopped and started again. */
  POSTGRES_RESTART,
  /** Redis is stopped (losing everything it held) and started again. */
  REDIS_RESTART,
  /** The ledger table is locked for a while: a slow consumer. */
  SLOW_CONSUMER,
  /** Undecodable records are written straight to the job topics. */
  POISON,
  /** The ingest API is restarted with requests in flight. */
  INGEST_RESTART,
  /** One account takes most payments (a workload, combined with a worker kill). */
  HOT_KEY;

  public String cliName() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  /** The faults of this scenario against a running stack. */
  public List<Fault> faults(DrillStack stack) {
    return switch (this) {
      case BROKER_KILL ->
          List.of(new Fault("broker-kill", Duration.ofSeconds(3), stack.broker()::kill, stack.broker()::start));
      case BROKER_RESTART ->
          List.of(new Fault("broker-restart", Duration.ofSeconds(1), stack.broker()::stop, stack.broker()::start));
      case WORKER_KILL, HOT_KEY -> {
        ServiceProcess victim = randomWorker(stack);
        yield List.of(new Fault(cliName() + ":" + victim.name(), Duration.ofSeconds(2), victim::kill, victim::start));
      }
      case WORKER_KILL_AFTER_COMMIT -> {
        ServiceProcess victim = randomWorker(stack);
        java.nio.file.Path trigger = DrillStack.haltTrigger(stack.dir(), victim.name());
        yield List.of(new Fault("worker-kill-after-commit:" + victim.name(), Duration.ZERO,
            () -> {
              java.nio.file.Files.writeString(trigger, "halt");
              long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
              while (victim.alive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
              }
              java.nio.file.Files.deleteIfExists(trigger);
            },
            () -> {
              victim.kill();
              victim.start();
            }));
      }
      case WORKER_FREEZE -> {
        ServiceProcess victim = randomWorker(stack);
        yield List.of(new Fault("worker-freeze:" + victim.name(), Duration.ofSeconds(15), victim::freeze, victim::thaw));
      }
      case POSTGRES_RESTART ->
          List.of(new Fault("postgres-restart", Duration.ofSeconds(5), stack.postgres()::stop, stack.postgres()::start));
      case REDIS_RESTART ->
          List.of(new Fault("redis-restart", Duration.ofSeconds(3), stack.redis()::stop, stack.redis()::start));
      case SLOW_CONSUMER -> List.of(slowConsumer(stack));
      case POISON ->
          List.of(new Fault("poison", Duration.ZERO, () -> writePoison(stack), () -> {}));
      case INGEST_RESTART ->
          List.of(new Fault("ingest-restart", Duration.ZERO, stack.ingest()::stop, stack.ingest()::start));
    };
  }

  private static ServiceProcess randomWorker(DrillStack stack) {
    List<ServiceProcess> workers = stack.workers();
    return workers.get(ThreadLocalRandom.current().nextInt(workers.size()));
  }

  private static Fault slowConsumer(DrillStack stack) {
    Connection[] holder = new Connection[1];
    return new Fault(
        "slow-consumer",
        Duration.ofSeconds(5),
        () -> {
          Connection c = stack.postgres().endpoint().connect();
          c.setAutoCommit(false);
          try (Statement s = c.createStatement()) {
            s.execute("LOCK TABLE jobs IN EXCLUSIVE MODE");
          }
          holder[0] = c;
        },
        () -> {
          try (Connection c = holder[0]) {
            c.rollback();
          }
        });
  }

  /** Poison records carry this prefix, so the checker can find them in the DLQ. */
  public static final String POISON_MARK = "drill-poison-";

  private static void writePoison(DrillStack stack) throws Exception {
    Map<String, Object> props =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.broker().bootstrap(),
            ProducerConfig.ACKS_CONFIG, "all");
    Topics topics = Topics.defaults();
    try (var producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < 5; i++) {
        for (String topic : List.of(topics.payment().name(), topics.prediction().name())) {
          byte[] value = (POISON_MARK + i + " {not json").getBytes(StandardCharsets.UTF_8);
          producer.send(new ProducerRecord<>(topic, ("poison-" + i).getBytes(StandardCharsets.UTF_8), value))
              .get(30, TimeUnit.SECONDS);
        }
      }
    }
  }
}

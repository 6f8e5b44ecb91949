package io.spillway.cli.ops;

import io.spillway.cli.Failure;
import io.spillway.cli.GlobalOptions;
import io.spillway.cli.UsageError;
import io.spillway.schemas.SpillwayHeaders;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code spillway replay TOPIC}: a range of a topic, by offsets or by time, either (a) replayed
 * by moving a consumer group's committed offsets back ({@code --reset-group}; refused while the
 * group has members) or (b) copied into a target topic for a running system ({@code --to}),
 * keeping keys and headers and marking each copy with its origin. Payments replayed either way
 * never charge twice: the workers are idempotent on the job id.
 */
@Command(name = "replay", mixinStandardHelpOptions = true, description = "Replay a range of a topic: reset a group's offsets, or copy the records into a topic.")
public final class ReplayCommand implements Callable<Integer> {

  @Mixin GlobalOptions global;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic to replay, e.g. jobs.payment") String topic;

  @Option(names = "--partitions", split = ",", description = "Only these partitions (default all)") List<Integer> partitions;
  @Option(names = "--from-offset", description = "First offset (inclusive)") Long fromOffset;
  @Option(names = "--to-offset", description = "Last offset (exclusive; default the end)") Long toOffset;
  @Option(names = "--from-time", description = "First record timestamp, ISO-8601 (inclusive)") String fromTime;
  @Option(names = "--to-time", description = "Last record timestamp, ISO-8601 (exclusive)") String toTime;
  @Option(names = "--dry-run", description = "Print the per-partition plan and change nothing") boolean dryRun;

  @ArgGroup(exclusive = true, multiplicity = "1") Mode mode;

  static final class Mode {
    @Option(names = "--reset-group", paramLabel = "GROUP", description = "Move this consumer group's offsets back to the start of the range") String group;
    @Option(names = "--to", paramLabel = "TARGET", description = "Copy the records into this topic") String target;
  }

  /** One partition's part of the replay. */
  record Plan(TopicPartition partition, long from, long to, long current) {
    long records() {
      return Math.max(0, to - from);
    }
  }

  @Override
  public Integer call() throws Exception {
    if ((fromOffset == null) == (fromTime == null)) {
      throw new UsageError("give the start of the range: --from-offset or --from-time (one of them)");
    }
    PrintWriter out = spec.commandLine().getOut();
    try (KafkaConsumer<String, byte[]> consumer = Kafka.consumer(global.bootstrap);
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, global.bootstrap,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000))) {
      List<Plan> plan = plan(consumer, admin);
      printPlan(out, plan);
      if (dryRun) {
        out.println("dry run: nothing changed");
        out.flush();
        return 0;
      }
      if (mode.group != null) {
        resetGroup(admin, plan, out);
      } else {
        copy(consumer, plan, out);
      }
    } catch (org.apache.kafka.common.KafkaException e) {
      throw new Failure("Kafka at " + global.bootstrap + ": " + e.getMessage());
    }
    return 0;
  }

  private List<Plan> plan(KafkaConsumer<String, byte[]> consumer, Admin admin) throws Exception {
    var infos = consumer.partitionsFor(topic, Duration.ofSeconds(15));
    if (infos == null || infos.isEmpty()) {
      throw new Failure("no topic " + topic);
    }
    List<TopicPartition> tps = new ArrayList<>();
    infos.forEach(p -> {
      if (partitions == null || partitions.contains(p.partition())) {
        tps.add(new TopicPartition(topic, p.partition()));
      }
    });
    if (tps.isEmpty()) {
      throw new UsageError("none of --partitions " + partitions + " exists in " + topic);
    }
    Map<TopicPartition, Long> begin = consumer.beginningOffsets(tps);
    Map<TopicPartition, Long> end = consumer.endOffsets(tps);
    Map<TopicPartition, Long> from = new HashMap<>();
    Map<TopicPartition, Long> to = new HashMap<>();
    for (TopicPartition tp : tps) {
      from.put(tp, fromOffset != null ? clamp(fromOffset, begin.get(tp), end.get(tp)) : end.get(tp));
      to.put(tp, toOffset != null ? clamp(toOffset, begin.get(tp), end.get(tp)) : end.get(tp));
    }
    if (fromTime != null) {
      from.putAll(offsetsAt(consumer, tps, instant("--from-time", fromTime), end));
    }
    if (toTime != null) {
      to.putAll(offsetsAt(consumer, tps, instant("--to-time", toTime), end));
    }
    Map<TopicPartition, OffsetAndMetadata> committed = mode.group == null ? Map.of()
        : admin.listConsumerGroupOffsets(mode.group).partitionsToOffsetAndMetadata().get(15, TimeUnit.SECONDS);
    List<Plan> plan = new ArrayList<>();
    for (TopicPartition tp : tps) {
      OffsetAndMetadata current = committed.get(tp);
      plan.add(new Plan(tp, from.get(tp), Math.max(from.get(tp), to.get(tp)), current == null ? -1 : current.offset()));
    }
    return plan;
  }

  private static Map<TopicPartition, Long> offsetsAt(KafkaConsumer<String, byte[]> consumer, List<TopicPartition> tps, Instant at,
      Map<TopicPartition, Long> end) {
    Map<TopicPartition, Long> query = new HashMap<>();
    tps.forEach(tp -> query.put(tp, at.toEpochMilli()));
    Map<TopicPartition, Long> offsets = new HashMap<>();
    consumer.offsetsForTimes(query).forEach((tp, found) -> offsets.put(tp, found == null ? end.get(tp) : ((OffsetAndTimestamp) found).offset()));
    return offsets;
  }

  private void printPlan(PrintWriter out, List<Plan> plan) {
    out.printf("%-32s %12s %12s %12s %10s%n", "PARTITION", "COMMITTED", "FROM", "TO", "RECORDS");
    for (Plan p : plan) {
      out.printf("%-32s %12s %12d %12d %10d%n", p.partition(), p.current() < 0 ? "-" : String.valueOf(p.current()), p.from(), p.to(), p.records());
    }
    out.println("total " + plan.stream().mapToLong(Plan::records).sum() + " records" + (mode.group != null ? " (group " + mode.group + ")" : " → " + mode.target));
    out.flush();
  }

  private void resetGroup(Admin admin, List<Plan> plan, PrintWriter out) throws Exception {
    ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(mode.group)).all().get(15, TimeUnit.SECONDS).get(mode.group);
    if (!group.members().isEmpty()) {
      throw new Failure("group " + mode.group + " has " + group.members().size() + " active members; stop its consumers before moving its offsets (or use --to)");
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new TreeMap<>(java.util.Comparator.comparing(TopicPartition::toString));
    plan.forEach(p -> offsets.put(p.partition(), new OffsetAndMetadata(p.from(), "spillway replay " + Instant.now())));
    admin.alterConsumerGroupOffsets(mode.group, offsets).all().get(30, TimeUnit.SECONDS);
    out.println("group " + mode.group + " now starts at the range; its consumers replay on their next start");
    out.flush();
  }

  private void copy(KafkaConsumer<String, byte[]> consumer, List<Plan> plan, PrintWriter out) throws Exception {
    long total = plan.stream().mapToLong(Plan::records).sum();
    List<TopicPartition> active = plan.stream().filter(p -> p.records() > 0).map(Plan::partition).toList();
    Map<TopicPartition, Long> stop = new HashMap<>();
    consumer.assign(active);
    for (Plan p : plan) {
      if (p.records() > 0) {
        consumer.seek(p.partition(), p.from());
        stop.put(p.partition(), p.to());
      }
    }
    long copied = 0;
    long started = System.nanoTime();
    long lastReport = started;
    try (var producer = Kafka.producer(global.bootstrap)) {
      List<java.util.concurrent.Future<?>> pending = new ArrayList<>();
      while (!stop.isEmpty()) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          TopicPartition tp = new TopicPartition(r.topic(), r.partition());
          Long until = stop.get(tp);
          if (until == null || r.offset() >= until) {
            continue;
          }
          RecordHeaders headers = new RecordHeaders();
          r.headers().forEach(h -> headers.add(h.key(), h.value()));
          SpillwayHeaders.put(headers, SpillwayHeaders.REPLAY_ORIGIN, r.topic() + "/" + r.partition() + "/" + r.offset());
          pending.add(producer.send(new ProducerRecord<>(mode.target, null, r.timestamp(), r.key(), r.value(), headers)));
          copied++;
        }
        for (TopicPartition tp : List.copyOf(stop.keySet())) {
          if (consumer.position(tp) >= stop.get(tp)) {
            stop.remove(tp);
          }
        }
        long now = System.nanoTime();
        if (now - lastReport > 1_000_000_000L || stop.isEmpty()) {
          lastReport = now;
          double rate = copied / Math.max(0.001, (now - started) / 1e9);
          long eta = rate > 0 ? (long) ((total - copied) / rate) : 0;
          out.printf("replay %s%,d / %,d records  %,.0f records/s  ETA %ds%n", bar(copied, total), copied, total, rate, eta);
          out.flush();
        }
      }
      for (var f : pending) {
        f.get(30, TimeUnit.SECONDS);
      }
    }
    out.println("copied " + copied + " records into " + mode.target);
    out.flush();
  }

  private static String bar(long done, long total) {
    int filled = total == 0 ? 20 : (int) (20 * done / total);
    return "[" + "#".repeat(filled) + " ".repeat(20 - filled) + "] ";
  }

  private static long clamp(long value, long min, long max) {
    return Math.max(min, Math.min(max, value));
  }

  private static Instant instant(String option, String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new UsageError(option + " must be an ISO-8601 instant such as 2026-11-27T09:00:00Z, not '" + text + "'");
    }
  }
}

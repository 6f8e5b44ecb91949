package io.spillway.cli.ops;

import io.spillway.cli.Failure;
import io.spillway.cli.GlobalOptions;
import io.spillway.cli.UsageError;
import io.spillway.schemas.DecodeResult;
import io.spillway.schemas.JobEnvelope;
import io.spillway.schemas.SpillwayHeaders;
import io.spillway.schemas.Topic;
import io.spillway.schemas.env.SpillwayEnv;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code spillway dlq list|show|redrive}. */
@Command(name = "dlq", mixinStandardHelpOptions = true, description = "Inspect and redrive dead-lettered jobs.",
    subcommands = {DlqCommand.ListDlq.class, DlqCommand.Show.class, DlqCommand.Redrive.class})
public final class DlqCommand implements Runnable {

  @Override
  public void run() {
    throw new UsageError("missing subcommand: list, show or redrive (see spillway dlq --help)");
  }

  static List<ConsumerRecord<String, byte[]>> read(GlobalOptions global, String since, String error) {
    Instant from = since == null ? Instant.EPOCH : Instant.now().minus(SpillwayEnv.parseDuration("--since", since));
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    try (var consumer = Kafka.consumer(global.bootstrap)) {
      Kafka.readAll(consumer, global.topics().dlq().name(), r -> {
        boolean recent = r.timestamp() >= from.toEpochMilli();
        boolean matches = error == null || SpillwayHeaders.text(r.headers(), SpillwayHeaders.ERROR_CODE).orElse("").equals(error);
        if (recent && matches) {
          records.add(r);
        }
      });
    } catch (org.apache.kafka.common.KafkaException e) {
      throw new Failure("cannot read " + global.topics().dlq().name() + " at " + global.bootstrap + ": " + e.getMessage());
    }
    return records;
  }

  static String header(ConsumerRecord<String, byte[]> r, String name) {
    return SpillwayHeaders.text(r.headers(), name).orElse("-");
  }

  /** {@code dlq list}. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "List dead letters: where they came from and why.")
  static final class ListDlq implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Option(names = "--since", description = "Only those dead-lettered within this duration, e.g. 1h") String since;
    @Option(names = "--error", description = "Only those with this error code, e.g. MALFORMED_NOT_JSON") String error;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      List<ConsumerRecord<String, byte[]>> records = read(global, since, error);
      if (!global.json) {
        out.printf("%-12s %-24s %-26s %-28s %s%n", "OFFSET", "DEAD-LETTERED", "SOURCE", "ERROR", "MESSAGE");
      }
      for (ConsumerRecord<String, byte[]> r : records) {
        if (global.json) {
          out.println(io.spillway.schemas.Json.mapper().createObjectNode().put("partition", r.partition()).put("offset", r.offset())
              .put("timestamp", Instant.ofEpochMilli(r.timestamp()).toString()).put("source", header(r, SpillwayHeaders.SOURCE_TOPIC))
              .put("error", header(r, SpillwayHeaders.ERROR_CODE)).put("message", header(r, SpillwayHeaders.ERROR_MESSAGE)));
        } else {
          String message = header(r, SpillwayHeaders.ERROR_MESSAGE);
          out.printf("%-12s %-24s %-26s %-28s %s%n", r.partition() + ":" + r.offset(), Instant.ofEpochMilli(r.timestamp()).toString().substring(0, 19),
              header(r, SpillwayHeaders.SOURCE_TOPIC), header(r, SpillwayHeaders.ERROR_CODE), message.length() > 60 ? message.substring(0, 60) + "…" : message);
        }
      }
      if (!global.json) {
        out.println(records.size() + " dead letters");
      }
      out.flush();
      return 0;
    }
  }

  /** {@code dlq show PARTITION:OFFSET}. */
  @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one dead letter: headers and value.")
  static final class Show implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Parameters(index = "0", paramLabel = "OFFSET", description = "PARTITION:OFFSET as dlq list prints it, or OFFSET of partition 0") String where;

    @Override
    public Integer call() {
      if (!where.matches("(\\d+:)?\\d+")) {
        throw new UsageError("OFFSET must look like 2:17 or 17, not '" + where + "'");
      }
      int partition = where.contains(":") ? Integer.parseInt(where.substring(0, where.indexOf(':'))) : 0;
      long offset = Long.parseLong(where.substring(where.indexOf(':') + 1));
      ConsumerRecord<String, byte[]> found = read(global, null, null).stream()
          .filter(r -> r.partition() == partition && r.offset() == offset).findFirst()
          .orElseThrow(() -> new Failure("no dead letter at " + partition + ":" + offset));
      PrintWriter out = spec.commandLine().getOut();
      out.println("offset      " + partition + ":" + offset);
      out.println("key         " + found.key());
      found.headers().forEach(h -> out.println("header      " + h.key() + " = " + new String(h.value(), StandardCharsets.UTF_8)));
      out.println("value       " + (found.value() == null ? "null" : new String(found.value(), StandardCharsets.UTF_8)));
      out.flush();
      return 0;
    }
  }

  /** {@code dlq redrive}. */
  @Command(name = "redrive", mixinStandardHelpOptions = true,
      description = "Send dead letters back to their source topic with the attempt count reset; the redrive is recorded in a header.")
  static final class Redrive implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Option(names = "--filter", description = "Only those with this error code") String filter;
    @Option(names = "--since", description = "Only those dead-lettered within this duration") String since;
    @Option(names = "--dry-run", description = "Print what would be redriven and change nothing") boolean dryRun;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      List<ConsumerRecord<String, byte[]>> records = read(global, since, filter);
      Topic<String, JobEnvelope> jobs = global.topics().payment();
      int sent = 0;
      int skipped = 0;
      try (var producer = dryRun ? null : Kafka.producer(global.bootstrap)) {
        for (ConsumerRecord<String, byte[]> r : records) {
          String source = header(r, SpillwayHeaders.SOURCE_TOPIC);
          if (!(jobs.valueSerde().decode(r.value(), r.headers()) instanceof DecodeResult.Ok<JobEnvelope> ok) || source.equals("-")) {
            skipped++;
            out.println("skip " + r.partition() + ":" + r.offset() + " (undecodable or no source topic; see dlq show)");
            continue;
          }
          if (dryRun) {
            out.println("would redrive " + r.partition() + ":" + r.offset() + " job " + ok.value().jobId() + " to " + source);
            sent++;
            continue;
          }
          RecordHeaders headers = new RecordHeaders();
          r.headers().forEach(h -> {
            if (!h.key().startsWith("spillway-error") && !h.key().equals(SpillwayHeaders.ATTEMPT) && !h.key().equals(SpillwayHeaders.NOT_BEFORE)) {
              headers.add(h.key(), h.value());
            }
          });
          SpillwayHeaders.put(headers, SpillwayHeaders.ATTEMPT, "1");
          SpillwayHeaders.put(headers, SpillwayHeaders.REDRIVE, Instant.now() + " from " + global.topics().dlq().name() + "/" + r.partition() + "/" + r.offset());
          byte[] value = jobs.valueSerde().serializer().serialize(source, headers, ok.value().withAttempt(1));
          producer.send(new ProducerRecord<>(source, null, r.key(), value, headers)).get(30, TimeUnit.SECONDS);
          sent++;
          if (sent % 1000 == 0) {
            out.println("redriven " + sent + " of " + records.size());
            out.flush();
          }
        }
      }
      out.println((dryRun ? "would redrive " : "redriven ") + sent + ", skipped " + skipped + " of " + records.size() + " dead letters");
      out.flush();
      return 0;
    }
  }
}

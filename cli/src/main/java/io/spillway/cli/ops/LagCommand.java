package io.spillway.cli.ops;

import io.spillway.cli.Failure;
import io.spillway.cli.GlobalOptions;
import java.io.PrintWriter;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code spillway lag [--group G]… [--watch]}: committed offset, end offset, lag and its trend. */
@Command(name = "lag", mixinStandardHelpOptions = true, description = "Consumer lag per group and partition, with its trend over the last samples.")
public final class LagCommand implements Callable<Integer> {

  @Mixin GlobalOptions global;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--group", description = "Consumer group (repeatable; default the workers' groups)")
  List<String> groups = List.of("spillway-workers-payment", "spillway-workers-prediction");

  @Option(names = "--watch", description = "Refresh every --interval seconds until interrupted") boolean watch;

  @Option(names = "--interval", defaultValue = "2", description = "Seconds between samples with --watch (default ${DEFAULT-VALUE})") int interval;

  @Option(names = "--samples", defaultValue = "1", description = "Samples to take without --watch (default ${DEFAULT-VALUE})") int samples;

  private final Map<String, ArrayDeque<Long>> history = new HashMap<>();

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, global.bootstrap,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000))) {
      for (int i = 0; watch || i < samples; i++) {
        if (i > 0) {
          TimeUnit.SECONDS.sleep(interval);
        }
        sample(admin, out, i == samples - 1 || watch);
      }
    } catch (java.util.concurrent.ExecutionException e) {
      throw new Failure("cannot read consumer offsets at " + global.bootstrap + ": " + e.getCause().getMessage());
    }
    return 0;
  }

  private void sample(Admin admin, PrintWriter out, boolean print) throws Exception {
    if (print && !global.json) {
      out.printf("%-30s %-26s %12s %12s %10s  %s%n", "GROUP", "PARTITION", "COMMITTED", "END", "LAG", "TREND");
    }
    for (String group : groups) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(15, TimeUnit.SECONDS);
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
      var ends = admin.listOffsets(latest).all().get(15, TimeUnit.SECONDS);
      Map<String, long[]> rows = new TreeMap<>();
      committed.forEach((tp, offset) -> {
        long end = ends.get(tp).offset();
        long at = offset == null ? 0 : offset.offset();
        rows.put(tp.topic() + "-" + String.format("%03d", tp.partition()), new long[] {at, end, Math.max(0, end - at)});
      });
      for (var row : rows.entrySet()) {
        String key = group + "/" + row.getKey();
        ArrayDeque<Long> trend = history.computeIfAbsent(key, k -> new ArrayDeque<>());
        trend.addLast(row.getValue()[2]);
        if (trend.size() > 10) {
          trend.removeFirst();
        }
        if (!print) {
          continue;
        }
        if (global.json) {
          out.println(io.spillway.schemas.Json.mapper().createObjectNode().put("group", group).put("partition", row.getKey())
              .put("committed", row.getValue()[0]).put("end", row.getValue()[1]).put("lag", row.getValue()[2]).toString());
        } else {
          out.printf("%-30s %-26s %12d %12d %10d  %s%n", group, row.getKey(), row.getValue()[0], row.getValue()[1], row.getValue()[2], trend(trend));
        }
      }
    }
    out.flush();
  }

  /** The lag's direction over the kept samples: rising, falling or flat, with the change. */
  static String trend(ArrayDeque<Long> samples) {
    if (samples.size() < 2) {
      return "-";
    }
    long change = samples.getLast() - samples.getFirst();
    return (change > 0 ? "rising +" : change < 0 ? "falling " : "flat ") + (change == 0 ? "" : String.valueOf(change));
  }
}

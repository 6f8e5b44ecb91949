package io.spillway.drills.check;

import io.spillway.devstack.PgEndpoint;
import io.spillway.drills.faults.FaultWindow;
import io.spillway.drills.faults.Scenario;
import io.spillway.drills.load.Outcome;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the client's history, PostgreSQL and the DLQ after a drill and counts every violation of
 * the pipeline's promises. It trusts nothing the services say about themselves.
 */
public final class Checker {

  private final PgEndpoint db;
  private final String bootstrap;
  private final String dlqTopic;
  private final String tenant;

  public Checker(PgEndpoint db, String bootstrap, String dlqTopic, String tenant) {
    this.db = db;
    this.bootstrap = bootstrap;
    this.dlqTopic = dlqTopic;
    this.tenant = tenant;
  }

  public CheckReport check(List<Outcome> history, List<FaultWindow> faults, long poisonSent) throws SQLException {
    List<String> examples = new ArrayList<>();
    Map<String, Outcome> acked = new HashMap<>();
    long rejected = 0;
    long unanswered = 0;
    long fiveHundredsIn = 0;
    long fiveHundredsOut = 0;
    long hangs = 0;
    for (Outcome o : history) {
      if (o.acknowledged()) {
        acked.put(o.jobId(), o);
      } else if (o.finalStatus() >= 400 && o.finalStatus() < 500 && o.finalStatus() != 429) {
        rejected++;
      } else {
        unanswered++;
      }
      for (Outcome.Attempt a : o.attempts()) {
        if (a.status() == -1) {
          hangs++;
        }
        if (a.status() >= 500 && a.status() != 503) {
          boolean inFault = faults.stream().anyMatch(f -> f.covers(a.sentAt(), 5_000));
          if (inFault) {
            fiveHundredsIn++;
          } else {
            fiveHundredsOut++;
          }
        }
      }
    }

    Map<String, String> statusById = new HashMap<>();
    Map<String, List<String>> ledgerOrderByAccount = new HashMap<>();
    long duplicated = 0;
    try (Connection c = db.connect();
        Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT job_id, status FROM jobs WHERE tenant = '" + tenant.replace("'", "''") + "'")) {
        while (rs.next()) {
          statusById.put(rs.getString(1), rs.getString(2));
        }
      }
      try (ResultSet rs = s.executeQuery("SELECT job_id, count(*) FROM payment_ledger GROUP BY job_id HAVING count(*) > 1")) {
        while (rs.next()) {
          duplicated++;
          example(examples, "duplicate ledger " + rs.getString(1));
        }
      }
      duplicated += LedgerQueries.accountsWhoseTotalDisagrees(s, examples);
      LedgerQueries.ledgerOrder(s, ledgerOrderByAccount);
    }

    long terminal = 0;
    long lost = 0;
    for (String jobId : acked.keySet()) {
      String status = statusById.get(jobId);
      if (status != null && Set.of("SUCCEEDED", "FAILED", "DEAD_LETTERED").contains(status)) {
        terminal++;
      } else {
        lost++;
        example(examples, "lost " + jobId + " (" + status + ")");
      }
    }
    long phantom = 0;
    for (String jobId : statusById.keySet()) {
      if (!acked.containsKey(jobId)) {
        phantom++;
        example(examples, "phantom " + jobId);
      }
    }

    long orderViolations = orderViolations(acked.values(), ledgerOrderByAccount, examples);
    long poisonDeadLettered = poisonSent == 0 ? 0 : countPoisonInDlq();
    return new CheckReport(
        history.size(), acked.size(), rejected, unanswered, terminal, lost, duplicated, phantom,
        orderViolations, fiveHundredsIn, fiveHundredsOut, hangs, poisonSent, poisonDeadLettered,
        List.copyOf(faults), List.copyOf(examples));
  }

  /**
   * Payments of one account were submitted one after another; the ledger must list them in that
   * order. Counts adjacent pairs in acknowledgement order whose ledger positions are reversed.
   */
  private static long orderViolations(
      Iterable<Outcome> acked, Map<String, List<String>> ledgerOrder, List<String> examples) {
    Map<String, List<Outcome>> byAccount = new HashMap<>();
    for (Outcome o : acked) {
      if ("payment".equals(o.type())) {
        byAccount.computeIfAbsent(o.accountId(), a -> new ArrayList<>()).add(o);
      }
    }
    long violations = 0;
    for (var entry : byAccount.entrySet()) {
      List<String> ledger = ledgerOrder.getOrDefault(entry.getKey(), List.of());
      Map<String, Integer> position = new HashMap<>();
      for (int i = 0; i < ledger.size(); i++) {
        position.put(ledger.get(i), i);
      }
      List<Outcome> submitted = new ArrayList<>(entry.getValue());
      submitted.sort(Comparator.comparingLong(Outcome::seq));
      Integer previous = null;
      for (Outcome o : submitted) {
        Integer at = position.get(o.jobId());
        if (at == null) {
          continue; // not in the ledger: FAILED, or counted as lost above
        }
        if (previous != null && at < previous) {
          violations++;
          example(examples, "order " + entry.getKey() + " " + o.jobId());
        }
        previous = at;
      }
    }
    return violations;
  }

  private long countPoisonInDlq() {
    Map<String, Object> props =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    Set<String> seen = new HashSet<>();
    try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(dlqTopic).stream().map(p -> new TopicPartition(dlqTopic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline
          && partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          String value = r.value() == null ? "" : new String(r.value(), StandardCharsets.UTF_8);
          if (value.startsWith(Scenario.POISON_MARK)) {
            seen.add(r.topic() + "/" + value + "/" + r.partition() + "/" + r.offset());
          }
        }
      }
    }
    return seen.size();
  }

  private static void example(List<String> examples, String text) {
    if (examples.size() < 20) {
      examples.add(text);
    }
  }
}

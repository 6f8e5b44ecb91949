package io.spillway.workers.consume;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.schemas.JobEnvelope;
import io.spillway.schemas.PaymentInput;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class KeyLanesTest {

  private static Delivery payment(int i, String account) {
    JobEnvelope job = JobEnvelope.first("job-" + i, "t", Instant.EPOCH, new PaymentInput(account, 100 + i, "EUR", "m"));
    return new Delivery(job, "jobs.payment", 0, i, Instant.EPOCH, Instant.EPOCH, job.key());
  }

  @Test
  void recordsOfOneKeyShareALaneInRecordOrder() {
    List<Delivery> batch = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      batch.add(payment(i, "acc-" + (i % 7)));
    }

    List<List<Integer>> lanes = new KeyLanes(null, 4).split(batch);

    assertThat(lanes).hasSizeLessThanOrEqualTo(4).hasSizeGreaterThan(1);
    assertThat(lanes.stream().mapToInt(List::size).sum()).as("every record in exactly one lane").isEqualTo(200);
    for (List<Integer> lane : lanes) {
      assertThat(lane).as("a lane keeps record order").isSorted();
    }
    for (int account = 0; account < 7; account++) {
      String key = batch.get(account).key();
      long lanesOfKey = lanes.stream().filter(l -> l.stream().anyMatch(i -> batch.get(i).key().equals(key))).count();
      assertThat(lanesOfKey).as("lanes holding account %s", key).isEqualTo(1);
    }
  }

  @Test
  void lanesRunAtOnceOnThePoolAndEachFailureIsReportedForItsLane() throws Exception {
    List<Delivery> batch = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      batch.add(payment(i, "acc-" + i));
    }
    KeyLanes lanes = new KeyLanes(null, 4);
    List<List<Integer>> split = lanes.split(batch);
    Map<String, Boolean> threads = new ConcurrentHashMap<>();
    SQLException refused = new SQLException("refused", "40001");
    try (ExecutorService pool = Executors.newFixedThreadPool(3)) {
      KeyLanes parallel = new KeyLanes(pool, 4);
      List<SQLException> failures = parallel.runAll(split, lane -> {
        threads.put(Thread.currentThread().getName(), true);
        if (lane.contains(0)) {
          throw refused;
        }
      });

      assertThat(failures).hasSize(split.size());
      for (int l = 0; l < split.size(); l++) {
        SQLException expected = split.get(l).contains(0) ? refused : null;
        assertThat((Object) failures.get(l)).as("failure of lane %d", l).isSameAs(expected);
      }
    }
    assertThat(threads.keySet()).as("threads that ran lanes").hasSizeGreaterThan(1).contains(Thread.currentThread().getName());
  }
}

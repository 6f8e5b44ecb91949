package io.spillway.ingest.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.schemas.JobType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JobIdsTest {

  private final JobIds ids = new JobIds("a-secret-of-sufficient-length".getBytes(StandardCharsets.UTF_8));
  private final Instant now = Instant.parse("2026-11-27T09:00:00.123Z");

  @Test
  void anIdTellsItsOwnerTheTypeAndSubmitTime() {
    String id = ids.newId("acme", JobType.PAYMENT, now);

    assertThat(ids.decode("acme", id)).hasValue(new JobIds.Decoded(JobType.PAYMENT, java.util.Optional.of(now)));
    assertThat(id).hasSize(43).matches("[A-Za-z0-9_-]+");
  }

  @Test
  void anotherTenantCannotReadAnId() {
    String id = ids.newId("acme", JobType.PREDICTION, now);

    assertThat(ids.decode("globex", id)).isEmpty();
  }

  @Test
  void aTamperedOrForeignIdIsRefused() {
    String id = ids.newId("acme", JobType.PREDICTION, now);
    char flipped = id.charAt(10) == 'A' ? 'B' : 'A';
    String tampered = id.substring(0, 10) + flipped + id.substring(11);
    JobIds otherSecret = new JobIds("another-secret-entirely-different".getBytes(StandardCharsets.UTF_8));

    assertThat(ids.decode("acme", tampered)).isEmpty();
    assertThat(otherSecret.decode("acme", id)).isEmpty();
    assertThat(ids.decode("acme", "not-an-id")).isEmpty();
  }

  @Test
  void anIdempotencyKeyAlwaysGivesTheSameIdPerTenant() {
    String first = ids.idempotentId("acme", JobType.PAYMENT, "order-17");

    assertThat(ids.idempotentId("acme", JobType.PAYMENT, "order-17")).isEqualTo(first);
    assertThat(ids.idempotentId("globex", JobType.PAYMENT, "order-17")).isNotEqualTo(first);
    assertThat(ids.idempotentId("acme", JobType.PAYMENT, "order-18")).isNotEqualTo(first);
    assertThat(ids.decode("acme", first)).hasValueSatisfying(d -> assertThat(d.type()).isEqualTo(JobType.PAYMENT));
  }

  @Test
  void freshIdsAreUniqueAcrossNonceBlocksAndThreads() throws Exception {
    java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
    Runnable draw = () -> {
      for (int i = 0; i < 1_000; i++) { // many blocks of 64 nonces
        seen.add(ids.newId("acme", JobType.PAYMENT, now));
      }
    };
    Thread other = Thread.ofPlatform().start(draw);
    draw.run();
    other.join();

    assertThat(seen).hasSize(2_000);
  }
}

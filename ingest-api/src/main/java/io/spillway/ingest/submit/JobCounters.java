package io.spillway.ingest.submit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.spillway.schemas.JobType;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What became of submitted jobs, single or batched: {@code spillway_ingest_accepted_total} by
 * type, {@code spillway_ingest_rejected_total} by type and reason, {@code spillway_ingest_shed_total}
 * by reason. The common ones are registered up front, so that dashboards and alerts see zeros, not
 * gaps, before the first event; each is looked up in the registry once (a lookup builds tags and
 * an id on every call), rejections too, which a flood of bad requests makes as hot as acceptances.
 */
public final class JobCounters {

  private final MeterRegistry meters;
  private final Map<JobType, Counter> accepted = new EnumMap<>(JobType.class);
  private final Map<JobType, Map<String, Counter>> rejected = new EnumMap<>(JobType.class);
  private final Map<String, Counter> shed = new ConcurrentHashMap<>();

  public JobCounters(MeterRegistry meters) {
    this.meters = meters;
    for (JobType type : JobType.values()) {
      accepted.put(type, meters.counter("spillway.ingest.accepted", "type", type.wireName()));
      rejected.put(type, new ConcurrentHashMap<>());
      rejectedCounter(type, "validation");
    }
    for (String reason : List.of("inflight", "buffer", "kafka", "timeout", "rate-limit")) {
      shedCounter(reason);
    }
  }

  void accepted(JobType type) {
    accepted.get(type).increment();
  }

  void rejected(JobType type, String reason) {
    rejectedCounter(type, reason).increment();
  }

  /** A job refused or answered 503 ({@code inflight}, {@code buffer}, {@code kafka}, {@code timeout}) or 429 ({@code rate-limit}). */
  void shed(String reason) {
    shedCounter(reason).increment();
  }

  private Counter rejectedCounter(JobType type, String reason) {
    return rejected.get(type).computeIfAbsent(reason, r -> meters.counter("spillway.ingest.rejected", "type", type.wireName(), "reason", r));
  }

  private Counter shedCounter(String reason) {
    return shed.computeIfAbsent(reason, r -> meters.counter("spillway.ingest.shed", "reason", r));
  }
}

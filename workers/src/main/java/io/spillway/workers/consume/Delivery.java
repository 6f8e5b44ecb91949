package io.spillway.workers.consume;

import io.spillway.schemas.JobEnvelope;
import java.time.Instant;

/**
 * One job being processed: the envelope, where it came from, and when.
 *
 * @param job the decoded envelope
 * @param topic the topic it was read from
 * @param partition its partition
 * @param offset its offset
 * @param enqueuedAt the record timestamp
 * @param startedAt when this worker started it
 * @param key the record's key (the job's partition key): jobs of one key keep their order
 */
public record Delivery(JobEnvelope job, String topic, int partition, long offset, Instant enqueuedAt, Instant startedAt, String key) {}

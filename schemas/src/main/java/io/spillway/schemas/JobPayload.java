package io.spillway.schemas;

/** The input of a job; its concrete record is fixed by the {@link JobType}. */
public sealed interface JobPayload permits PaymentInput, PredictionInput {

  /** The type of job this payload belongs to. */
  JobType jobType();

  /** The Kafka record key: it decides the partition and so the per-key order. */
  String partitionKey();
}

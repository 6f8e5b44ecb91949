package io.spillway.schemas;

/** What a successful job produced; the record is fixed by the job type. */
public sealed interface JobResult permits PaymentResult, PredictionResult {}

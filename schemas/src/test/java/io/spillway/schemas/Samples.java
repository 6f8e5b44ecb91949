package io.spillway.schemas;

import java.time.Instant;
import java.util.Map;

/** One valid instance of every message record. */
final class Samples {

  static final Instant SUBMITTED = Instant.parse("2026-11-27T09:00:00.123Z");

  static final PaymentInput PAYMENT = new PaymentInput("acc-1", 1999, "EUR", "m-42");
  static final PredictionInput PREDICTION =
      PredictionInput.of("default", Map.of("basket_total", 129.5, "items", 3.0, "returning", 1.0));

  static final JobEnvelope PAYMENT_JOB = JobEnvelope.first("job-p1", "acme", SUBMITTED, PAYMENT);
  static final JobEnvelope PREDICTION_JOB =
      JobEnvelope.first("job-q1", "acme", SUBMITTED, PREDICTION);

  static final LifecycleEvent STARTED =
      new LifecycleEvent(
          "job-q1", "acme", JobType.PREDICTION, JobStatus.RUNNING, 1, SUBMITTED,
          SUBMITTED.plusMillis(2), SUBMITTED.plusMillis(5), null, false, null);
  static final LifecycleEvent COMPLETED =
      new LifecycleEvent(
          "job-q1", "acme", JobType.PREDICTION, JobStatus.SUCCEEDED, 1, SUBMITTED,
          SUBMITTED.plusMillis(2), SUBMITTED.plusMillis(5), SUBMITTED.plusMillis(9), true, null);

  static final PaymentResult PAYMENT_RESULT =
      new PaymentResult(PaymentResult.Decision.APPROVED, 0.12, 77L);
  static final PredictionResult PREDICTION_RESULT = new PredictionResult(0.83, "lr-1", false);
  static final JobError ERROR = new JobError("UNKNOWN_ACCOUNT", "account acc-9 does not exist");

  static final WindowStats.Latency LATENCY = new WindowStats.Latency(3, 5, 6, 9, 12, 15);
  static final WindowStats WINDOW =
      new WindowStats(JobType.PAYMENT, "1s", SUBMITTED, SUBMITTED.plusSeconds(1), 10, 9, 1, 0, 10.0, 0.1,
          LATENCY, LATENCY, LATENCY);

  static final PipelineAlert ALERT =
      new PipelineAlert(JobType.PREDICTION, PipelineAlert.Kind.SLO_BREACH, PipelineAlert.State.FIRING, SUBMITTED, 2450.0, 2000.0,
          "prediction end-to-end p99 2450 ms above the 2000 ms SLO for 3 windows");

  private Samples() {}
}

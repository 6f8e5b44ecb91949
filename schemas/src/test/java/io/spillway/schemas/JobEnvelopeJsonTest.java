package io.spillway.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobEnvelopeJsonTest {

  @Test
  void theHandWrittenSerializerWritesExactlyWhatTheRecordsBeanSerialisationWrites() throws Exception {
    List<JobEnvelope> jobs = List.of(
        Samples.PAYMENT_JOB,
        Samples.PREDICTION_JOB.nextAttempt().nextAttempt(),
        JobEnvelope.first("job-\"p2\"", "t\u00e9nant", Samples.SUBMITTED.plusNanos(456_789),
            new PaymentInput("acc-\u00e9\\1", PaymentInput.MAX_AMOUNT_MINOR, "JPY", "m-\n")),
        JobEnvelope.first("job-q2", "acme", Instant.parse("2026-11-27T09:00:00Z"),
            PredictionInput.of("default", Map.of("tiny", 1.0e-300, "neg", -0.0, "big", 1.7976931348623157e308, "third", 1.0 / 3, "z\u00e9", 42.0))));

    for (JobEnvelope job : jobs) {
      String fast = new String(Json.bytes(job), java.nio.charset.StandardCharsets.UTF_8);

      assertThat(fast).as("JSON of %s", job.jobId()).isEqualTo(BeanJson.MAPPER.writeValueAsString(job));
      assertThat(Json.mapper().readValue(fast, JobEnvelope.class)).as("the envelope after a round trip").isEqualTo(job);
    }
  }
}

package io.spillway.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobViewJsonTest {

  private static final Instant T = Instant.parse("2026-11-27T09:00:00.123456Z");

  @Test
  void itsHandWrittenJsonIsExactlyWhatTheRecordsBeanSerialisationWrites() throws Exception {
    List<JobView> views = List.of(
        new JobView("j-1", "acme", JobType.PAYMENT, JobStatus.QUEUED, null, null, T, null, null, 1),
        new JobView("j-2", "acme", JobType.PREDICTION, JobStatus.SUCCEEDED,
            Json.mapper().valueToTree(new PredictionResult(0.731, "logistic-1", true)), null, T, T.plusSeconds(1), T.plusSeconds(2), 2),
        new JobView("j-\"3\"", "t\u00e9nant", JobType.PAYMENT, JobStatus.DEAD_LETTERED, null,
            new JobError("TRANSIENT_40001", "could not serialize\naccess"), T, T.plusMillis(5), T.plusMillis(9), 5));

    for (JobView v : views) {
      String fast = new String(Json.bytes(v), java.nio.charset.StandardCharsets.UTF_8);

      assertThat(fast).as("JSON of %s", v.jobId()).isEqualTo(BeanJson.MAPPER.writeValueAsString(v));
      assertThat(Json.mapper().writeValueAsString(Json.mapper().readValue(fast, JobView.class))).as("JSON after a round trip").isEqualTo(fast);
    }
  }
}

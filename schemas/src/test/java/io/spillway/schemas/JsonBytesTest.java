package io.spillway.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class JsonBytesTest {

  private static final Instant T = Instant.parse("2026-11-27T09:00:00.123456Z");
  /** Strings a job can carry: quotes, backslashes, every escaped control character, UTF-8 of 2, 3 and 4 bytes. */
  private static final List<String> AWKWARD = List.of(
      "plain", "", "quote \" and backslash \\ and slash /", "line\nbreak\ttab\rreturn\bback\fform",
      "\u0000\u0001\u001f\u007f", "t\u00e9nant", "\u4e2d\u6587", "emoji \ud83d\ude80 here", "lone \ud800 surrogate");

  @Test
  void everyRecordItWritesIsByteForByteWhatJacksonWrites() throws Exception {
    List<Object> values = new ArrayList<>();
    values.addAll(List.of(Samples.PAYMENT, Samples.PREDICTION, Samples.PAYMENT_JOB, Samples.PREDICTION_JOB, Samples.STARTED,
        Samples.COMPLETED, Samples.PAYMENT_RESULT, Samples.PREDICTION_RESULT, Samples.ERROR));
    for (String s : AWKWARD) {
      values.add(new JobError("CODE_" + s, s));
      values.add(new LifecycleEvent("j-" + s, s, JobType.PAYMENT, JobStatus.FAILED, 3, T, T, T.plusMillis(1), T.plusMillis(2), false, s));
      values.add(new JobView("j-" + s, s, JobType.PAYMENT, JobStatus.DEAD_LETTERED, null, new JobError("E", s), T, T, T.plusSeconds(1), 5));
    }
    Instant farFuture = Instant.parse("+12026-01-01T00:00:00Z"); // beyond the common shape: the JDK's text
    values.add(new LifecycleEvent("j-far", "t", JobType.PAYMENT, JobStatus.RUNNING, 1, farFuture, Instant.EPOCH, farFuture, null, false, null));
    Random random = new Random(42);
    for (int i = 0; i < 200; i++) {
      double score = i < 4 ? new double[] {0.0, 1.0, 1e-7, 0.1 + 0.2}[i] : random.nextDouble();
      Instant at = Instant.ofEpochSecond(1_700_000_000L + random.nextInt(100_000_000), i % 3 == 0 ? 0 : random.nextInt(1_000_000_000));
      PaymentResult payment = new PaymentResult(i % 2 == 0 ? PaymentResult.Decision.APPROVED : PaymentResult.Decision.DECLINED, score, random.nextLong());
      PredictionResult prediction = new PredictionResult(score, "lr-" + i, i % 2 == 0);
      TreeMap<String, Double> features = new TreeMap<>();
      for (int f = 0; f <= i % 7; f++) {
        features.put("f" + f, (random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(20) - 10));
      }
      values.add(JobEnvelope.first("job-" + i, "tenant-" + i, at, new PaymentInput("acc-" + i, 1 + random.nextLong(PaymentInput.MAX_AMOUNT_MINOR), "EUR", "m-" + i)));
      values.add(JobEnvelope.first("job-" + i, "tenant-" + i, at, new PredictionInput("default", features)));
      values.add(new JobView("job-" + i, "t", JobType.PAYMENT, JobStatus.SUCCEEDED, Json.mapper().getNodeFactory().pojoNode(payment), null, at, at, at, 1));
      values.add(new JobView("job-" + i, "t", JobType.PREDICTION, JobStatus.RUNNING, null, null, at, at, null, 2));
      values.add(new LifecycleEvent("job-" + i, "t", JobType.PREDICTION, JobStatus.SUCCEEDED, 1, at, at, at, at, i % 2 == 0, null));
      values.add(prediction);
      values.add(Json.mapper().getNodeFactory().pojoNode(i % 2 == 0 ? payment : prediction));
    }

    for (Object value : values) {
      byte[] expected = Json.mapper().writeValueAsBytes(value);
      assertThat(new String(JsonBytes.of(value), StandardCharsets.UTF_8))
          .as("JSON of %s", value)
          .isEqualTo(new String(expected, StandardCharsets.UTF_8));
      assertThat(JsonBytes.of(value)).isEqualTo(expected);
    }
  }

  @Test
  void aViewWhoseResultIsATreeAndValuesItDoesNotKnowAreLeftToJackson() throws Exception {
    JobView read = new JobView("j", "t", JobType.PREDICTION, JobStatus.SUCCEEDED,
        Json.mapper().valueToTree(Samples.PREDICTION_RESULT), null, T, T, T, 1);

    assertThat(JsonBytes.of(read)).isNull();
    assertThat(JsonBytes.of(Samples.WINDOW)).isNull();
    assertThat(JsonBytes.of(Json.mapper().getNodeFactory().pojoNode(Samples.WINDOW))).isNull();
    assertThat(Json.bytes(read)).isEqualTo(Json.mapper().writeValueAsBytes(read));
  }
}

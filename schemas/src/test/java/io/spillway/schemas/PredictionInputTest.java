package io.spillway.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PredictionInputTest {

  @Test
  void featureOrderAndNumberFormattingDoNotChangeTheInputHash() throws Exception {
    Map<String, Double> ab = new LinkedHashMap<>();
    ab.put("a", 1.0);
    ab.put("b", 2.5);
    Map<String, Double> ba = new LinkedHashMap<>();
    ba.put("b", 2.50);
    ba.put("a", 1.0);
    PredictionInput fromJson =
        Json.mapper()
            .readValue(
                "{\"model\":\"default\",\"features\":{\"b\":2.5e0,\"a\":1}}", PredictionInput.class);

    assertThat(PredictionInput.of("default", ab).inputHash())
        .isEqualTo(PredictionInput.of("default", ba).inputHash())
        .isEqualTo(fromJson.inputHash())
        .hasSize(64);
  }

  @Test
  void differentModelsOrValuesGiveDifferentHashes() {
    PredictionInput base = PredictionInput.of("default", Map.of("a", 1.0));

    assertThat(base.inputHash())
        .isNotEqualTo(PredictionInput.of("other", Map.of("a", 1.0)).inputHash())
        .isNotEqualTo(PredictionInput.of("default", Map.of("a", 1.0000001)).inputHash());
  }

  @Test
  void negativeZeroIsTheSameInputAsZero() {
    assertThat(PredictionInput.of("default", Map.of("a", -0.0)).inputHash())
        .isEqualTo(PredictionInput.of("default", Map.of("a", 0.0)).inputHash());
  }

  @Test
  void nonFiniteFeaturesAreRefused() {
    assertThatThrownBy(() -> PredictionInput.of("default", Map.of("a", Double.POSITIVE_INFINITY)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("finite");
  }

  @Test
  void moreThan256FeaturesAreRefused() {
    Map<String, Double> many = new LinkedHashMap<>();
    for (int i = 0; i <= PredictionInput.MAX_FEATURES; i++) {
      many.put("f" + i, (double) i);
    }

    assertThatThrownBy(() -> PredictionInput.of("default", many))
        .hasMessageContaining("1..256");
  }

  @Test
  void thePredictionKeyIsTheInputHash() {
    assertThat(Samples.PREDICTION_JOB.key()).isEqualTo(Samples.PREDICTION.inputHash());
    assertThat(Samples.PAYMENT_JOB.key()).isEqualTo("acc-1");
  }
}

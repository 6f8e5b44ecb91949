package io.spillway.workers.prediction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class LogisticModelTest {

  private final LogisticModel model = LogisticModel.load("default");

  @Test
  void theShippedModelHasANameAndVersion() {
    assertThat(model.name()).isEqualTo("default");
    assertThat(model.version()).startsWith("lr-");
  }

  @Test
  void scoreIsTheSigmoidOfTheStandardisedWeightedSum() {
    // basket_total: mean 120, scale 90, weight 0.62; intercept -0.35
    double z = -0.35 + 0.62 * (210.0 - 120.0) / 90.0;

    assertThat(model.score(new TreeMap<>(Map.of("basket_total", 210.0)))).isCloseTo(1 / (1 + Math.exp(-z)), org.assertj.core.data.Offset.offset(1e-12));
  }

  @Test
  void aPositiveWeightRaisesTheScoreAndANegativeOneLowersIt() {
    double base = model.score(new TreeMap<>(Map.of("items", 4.0, "cart_abandonments", 1.0)));

    assertThat(model.score(new TreeMap<>(Map.of("items", 12.0, "cart_abandonments", 1.0)))).isGreaterThan(base);
    assertThat(model.score(new TreeMap<>(Map.of("items", 4.0, "cart_abandonments", 6.0)))).isLessThan(base);
  }

  @Test
  void unknownFeaturesStillMoveTheScoreThroughHashedWeights() {
    double without = model.score(new TreeMap<>(Map.of("items", 4.0)));

    assertThat(model.score(new TreeMap<>(Map.of("items", 4.0, "zz_unknown_feature", 3.0)))).isNotEqualTo(without).isBetween(0.0, 1.0);
  }

  @Test
  void aMissingModelIsRefusedByName() {
    assertThatThrownBy(() -> LogisticModel.load("nope")).hasMessageContaining("nope");
  }
}

package io.spillway.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spillway.schemas.env.ConfigException;
import io.spillway.schemas.env.SpillwayEnv;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IngestConfigTest {

  @Test
  void connectionsIdleFor75SecondsAreClosedUnlessTheIdleTimeoutIsSet() {
    assertThat(configWith(Map.of()).httpIdleTimeout()).isEqualTo(Duration.ofSeconds(75));
    assertThat(configWith(Map.of(IngestConfig.HTTP_IDLE_TIMEOUT, "650ms")).httpIdleTimeout()).isEqualTo(Duration.ofMillis(650));
  }

  @Test
  void anIdleTimeoutUnder1MsOrNotADurationIsRefusedNamingTheVariable() {
    assertRefused(IngestConfig.HTTP_IDLE_TIMEOUT, "0s", "-5s", "soon");
  }

  @Test
  void theProducerLingers5MsAsKafkasDefaultUnlessTheLingerIsSet() {
    assertThat(configWith(Map.of()).produceLinger()).isEqualTo(Duration.ofMillis(5));
    assertThat(configWith(Map.of(IngestConfig.PRODUCE_LINGER, "0ms")).produceLinger()).isZero();
    assertThat(configWith(Map.of(IngestConfig.PRODUCE_LINGER, "20ms")).produceLinger()).isEqualTo(Duration.ofMillis(20));
  }

  @Test
  void aNegativeLingerOneOverASecondOrNotADurationIsRefusedNamingTheVariable() {
    assertRefused(IngestConfig.PRODUCE_LINGER, "-1ms", "2s", "briefly");
  }

  private static IngestConfig configWith(Map<String, String> variables) {
    return IngestConfig.fromEnv(new SpillwayEnv(variables));
  }

  /** Each value of the variable is refused with a ConfigException that names the variable. */
  private static void assertRefused(String variable, String... values) {
    for (String bad : values) {
      assertThatThrownBy(() -> configWith(Map.of(variable, bad)))
          .as(variable + "=" + bad)
          .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.variable()).isEqualTo(variable));
    }
  }
}

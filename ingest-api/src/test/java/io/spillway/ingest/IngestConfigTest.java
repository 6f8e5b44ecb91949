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
    assertThat(IngestConfig.fromEnv(new SpillwayEnv(Map.of())).httpIdleTimeout()).isEqualTo(Duration.ofSeconds(75));
    assertThat(IngestConfig.fromEnv(new SpillwayEnv(Map.of(IngestConfig.HTTP_IDLE_TIMEOUT, "650ms"))).httpIdleTimeout())
        .isEqualTo(Duration.ofMillis(650));
  }

  @Test
  void anIdleTimeoutUnder1MsOrNotADurationIsRefusedNamingTheVariable() {
    for (String bad : new String[] {"0s", "-5s", "soon"}) {
      assertThatThrownBy(() -> IngestConfig.fromEnv(new SpillwayEnv(Map.of(IngestConfig.HTTP_IDLE_TIMEOUT, bad))))
          .as(bad)
          .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.variable()).isEqualTo(IngestConfig.HTTP_IDLE_TIMEOUT));
    }
  }

  @Test
  void theProducerLingers5MsAsKafkasDefaultUnlessTheLingerIsSet() {
    assertThat(IngestConfig.fromEnv(new SpillwayEnv(Map.of())).produceLinger()).isEqualTo(Duration.ofMillis(5));
    assertThat(IngestConfig.fromEnv(new SpillwayEnv(Map.of(IngestConfig.PRODUCE_LINGER, "0ms"))).produceLinger()).isZero();
    assertThat(IngestConfig.fromEnv(new SpillwayEnv(Map.of(IngestConfig.PRODUCE_LINGER, "20ms"))).produceLinger())
        .isEqualTo(Duration.ofMillis(20));
  }

  @Test
  void aNegativeLingerOneOverASecondOrNotADurationIsRefusedNamingTheVariable() {
    for (String bad : new String[] {"-1ms", "2s", "briefly"}) {
      assertThatThrownBy(() -> IngestConfig.fromEnv(new SpillwayEnv(Map.of(IngestConfig.PRODUCE_LINGER, bad))))
          .as(bad)
          .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.variable()).isEqualTo(IngestConfig.PRODUCE_LINGER));
    }
  }
}

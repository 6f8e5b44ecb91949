package io.spillway.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PaymentInputTest {

  @ParameterizedTest
  @ValueSource(strings = {"EUR", "USD", "JPY", "AZZ"})
  void threeUpperCaseLettersAreACurrencyShape(String code) {
    assertThat(new PaymentInput("acc-1", 100, code, "m-1").currency()).isEqualTo(code);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "EU", "EURO", "eur", "Eur", "E1R", "E R", "\u00c4UR", "EU\u0000", "@UR", "[UR"})
  void anythingElseIsRejectedNamingTheField(String code) {
    assertThatThrownBy(() -> new PaymentInput("acc-1", 100, code, "m-1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("currency must be an ISO-4217 code");
  }
}

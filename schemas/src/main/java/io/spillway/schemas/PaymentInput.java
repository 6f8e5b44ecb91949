package io.spillway.schemas;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Objects;

/**
 * A payment to risk-score and record.
 *
 * @param accountId the paying account; payments of one account are processed in order
 * @param amountMinor the amount in minor units (cents), 1 to 10^12
 * @param currency an ISO-4217 alphabetic code such as {@code EUR}
 * @param merchantId the merchant being paid
 */
public record PaymentInput(String accountId, long amountMinor, String currency, String merchantId)
    implements JobPayload {

  public static final long MAX_AMOUNT_MINOR = 1_000_000_000_000L;
  public static final int MAX_ID_LENGTH = 64;

  public PaymentInput {
    requireId("accountId", accountId);
    requireId("merchantId", merchantId);
    if (amountMinor < 1 || amountMinor > MAX_AMOUNT_MINOR) {
      throw new IllegalArgumentException("amountMinor must be between 1 and 10^12: " + amountMinor);
    }
    Objects.requireNonNull(currency, "currency");
    if (!isCurrencyShape(currency)) {
      throw new IllegalArgumentException("currency must be an ISO-4217 code: " + currency);
    }
  }

  /**
   * Three upper-case ASCII letters, checked by hand: {@code String.matches} compiles its pattern
   * on every call, and every payment is constructed here — at the API and in each worker decode.
   */
  private static boolean isCurrencyShape(String code) {
    if (code.length() != 3) {
      return false;
    }
    for (int i = 0; i < 3; i++) {
      char c = code.charAt(i);
      if (c < 'A' || c > 'Z') {
        return false;
      }
    }
    return true;
  }

  private static void requireId(String field, String value) {
    Objects.requireNonNull(value, field);
    if (value.isBlank() || value.length() > MAX_ID_LENGTH) {
      throw new IllegalArgumentException(field + " must be 1.." + MAX_ID_LENGTH + " characters");
    }
  }

  @Override
  @JsonIgnore
  public JobType jobType() {
    return JobType.PAYMENT;
  }

  @Override
  @JsonIgnore
  public String partitionKey() {
    return accountId;
  }
}

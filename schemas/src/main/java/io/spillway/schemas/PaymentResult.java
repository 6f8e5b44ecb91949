package io.spillway.schemas;

import java.util.Objects;

/**
 * The outcome of a payment. A decline is a result, not an error.
 *
 * @param decision approved or declined
 * @param riskScore 0 (safe) to 1 (certain fraud)
 * @param ledgerEntryId the id of the one ledger entry this payment wrote
 */
public record PaymentResult(Decision decision, double riskScore, long ledgerEntryId)
    implements JobResult {

  /** Whether the payment goes through. */
  public enum Decision {
    APPROVED,
    DECLINED
  }

  public PaymentResult {
    Objects.requireNonNull(decision, "decision");
    if (!(riskScore >= 0.0 && riskScore <= 1.0)) {
      throw new IllegalArgumentException("riskScore must be in [0, 1]: " + riskScore);
    }
  }
}

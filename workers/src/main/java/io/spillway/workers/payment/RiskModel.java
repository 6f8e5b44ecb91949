package io.spillway.workers.payment;

import io.spillway.schemas.PaymentInput;

/**
 * The payment risk score: rules turned into features of a small logistic model — the size of the
 * payment, how much of the account's daily limit it would use, a per-merchant risk bucket and
 * whether the currency is one the account usually pays in.
 */
public final class RiskModel {

  /** A payment at or above this score is declined. */
  public static final double DECLINE_AT = 0.85;

  private static final java.util.Set<String> USUAL_CURRENCIES = java.util.Set.of("EUR", "USD", "GBP", "CHF", "SEK", "DKK", "NOK", "PLN");

  public double score(PaymentInput payment, long dayTotalMinor, long dailyLimitMinor) {
    double size = Math.log1p(payment.amountMinor() / 100.0);
    double limitUse = (double) (dayTotalMinor + payment.amountMinor()) / dailyLimitMinor;
    double merchant = (Math.floorMod(payment.merchantId().hashCode(), 100)) / 100.0;
    double currency = USUAL_CURRENCIES.contains(payment.currency()) ? 0 : 1;
    double z = -5.0 + 0.45 * size + 2.2 * Math.min(limitUse, 2.0) + 1.1 * merchant + 0.9 * currency;
    return 1.0 / (1.0 + Math.exp(-z));
  }
}

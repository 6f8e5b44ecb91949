package io.spillway.drills.load;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The mix of jobs the drill's client submits: payments over a set of accounts (optionally one hot
 * account taking most of them) and predictions, some with repeated inputs.
 *
 * @param paymentShare the fraction of requests that are payments
 * @param accounts how many accounts payments spread over
 * @param hotAccountShare the fraction of payments that go to account {@code acc-hot}, 0 for none
 * @param repeatedPredictionShare the fraction of predictions that reuse one of 50 inputs
 */
public record Workload(double paymentShare, int accounts, double hotAccountShare, double repeatedPredictionShare) {

  public static Workload standard() {
    return new Workload(0.6, 40, 0.0, 0.3);
  }

  public Workload withHotAccount(double share) {
    return new Workload(paymentShare, accounts, share, repeatedPredictionShare);
  }

  /** A request to send: type, account (payments) and JSON body. */
  public record Job(String type, String accountId, long amountMinor, String body) {}

  public Job next(SplittableRandom random) {
    if (random.nextDouble() < paymentShare) {
      String account =
          random.nextDouble() < hotAccountShare ? "acc-hot" : "acc-" + random.nextInt(accounts);
      long amount = 100 + random.nextInt(20_000);
      String body =
          "{\"accountId\":\"%s\",\"amountMinor\":%d,\"currency\":\"EUR\",\"merchantId\":\"m-%d\"}"
              .formatted(account, amount, random.nextInt(500));
      return new Job("payment", account, amount, body);
    }
    int variant = random.nextDouble() < repeatedPredictionShare ? random.nextInt(50) : 1000 + random.nextInt(1_000_000_000);
    SplittableRandom features = new SplittableRandom(variant);
    String body =
        String.format(
            Locale.ROOT,
            "{\"model\":\"default\",\"features\":{\"basket_total\":%.2f,\"items\":%d,\"account_age_days\":%d}}",
            features.nextDouble(5, 500), features.nextInt(1, 20), features.nextInt(0, 2000));
    return new Job("prediction", null, 0, body);
  }
}

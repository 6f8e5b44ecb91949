package io.spillway.cli.load;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The jobs a load test sends: a share of payments over many accounts, the rest predictions, a
 * share of which repeat one of 100 inputs (so the prediction cache is exercised).
 */
record Workload(double paymentShare, double repeatShare) {

  /** A request: the path and the JSON body. */
  record Job(String path, String body) {}

  Job next(SplittableRandom random) {
    if (random.nextDouble() < paymentShare) {
      // built by hand: String.format costs more than the rest of sending a request
      return new Job("/v1/jobs/payment", new StringBuilder(96)
          .append("{\"accountId\":\"acc-").append(random.nextInt(100_000))
          .append("\",\"amountMinor\":").append(100 + random.nextInt(100_000))
          .append(",\"currency\":\"EUR\",\"merchantId\":\"m-").append(random.nextInt(1000))
          .append("\"}").toString());
    }
    long variant = random.nextDouble() < repeatShare ? random.nextInt(100) : 1000 + random.nextLong(1L << 40);
    SplittableRandom features = new SplittableRandom(variant);
    return new Job("/v1/jobs/prediction", String.format(Locale.ROOT,
        "{\"model\":\"default\",\"features\":{\"basket_total\":%.2f,\"items\":%d,\"account_age_days\":%d}}",
        features.nextDouble(5, 500), features.nextInt(1, 20), features.nextInt(0, 3000)));
  }
}

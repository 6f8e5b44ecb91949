package io.spillway.schemas;

import java.util.Objects;

/**
 * The outcome of a prediction.
 *
 * @param score the model's probability, 0 to 1
 * @param modelVersion the version of the model that computed it
 * @param cached whether it was served from the prediction cache
 */
public record PredictionResult(double score, String modelVersion, boolean cached)
    implements JobResult {

  public PredictionResult {
    Objects.requireNonNull(modelVersion, "modelVersion");
    if (!(score >= 0.0 && score <= 1.0)) {
      throw new IllegalArgumentException("score must be in [0, 1]: " + score);
    }
  }

  /** The same result, marked as served from the cache. */
  public PredictionResult fromCache() {
    return new PredictionResult(score, modelVersion, true);
  }
}

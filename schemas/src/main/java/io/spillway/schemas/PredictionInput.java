package io.spillway.schemas;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A request to score named numeric features with a model.
 *
 * @param model the model name, {@code default} unless another ships
 * @param features 1 to 256 finite numbers by name; kept sorted by name (the canonical order)
 */
public record PredictionInput(String model, SortedMap<String, Double> features)
    implements JobPayload {

  public static final int MAX_FEATURES = 256;
  public static final int MAX_NAME_LENGTH = 64;

  public PredictionInput {
    Objects.requireNonNull(model, "model");
    if (model.isBlank() || model.length() > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException("model must be 1.." + MAX_NAME_LENGTH + " characters");
    }
    Objects.requireNonNull(features, "features");
    if (features.isEmpty() || features.size() > MAX_FEATURES) {
      throw new IllegalArgumentException("features must hold 1.." + MAX_FEATURES + " entries");
    }
    TreeMap<String, Double> copy = new TreeMap<>();
    features.forEach(
        (name, value) -> {
          if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("feature names must be 1.." + MAX_NAME_LENGTH);
          }
          if (value == null || !Double.isFinite(value)) {
            throw new IllegalArgumentException("feature " + name + " must be a finite number");
          }
          copy.put(name, value == 0.0 ? 0.0 : value); // -0.0 and 0.0 are one input
        });
    features = Collections.unmodifiableSortedMap(copy);
  }

  /** Builds an input from features in any order. */
  public static PredictionInput of(String model, Map<String, Double> features) {
    return new PredictionInput(model, new TreeMap<>(features));
  }

  /**
   * The canonical text of this input: model, then each feature in name order with its value in
   * Java's shortest round-tripping decimal form. Equal inputs give equal text whatever the order
   * or formatting they arrived in.
   */
  @JsonIgnore
  public String canonicalForm() {
    StringBuilder text = new StringBuilder(model.length() + features.size() * 16);
    text.append(model);
    features.forEach((name, value) -> text.append('\n').append(name).append('=').append(value));
    return text.toString();
  }

  /** SHA-256 of the canonical form, in hex: the cache key and the Kafka key. */
  @JsonIgnore
  public String inputHash() {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(canonicalForm().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  @Override
  @JsonIgnore
  public JobType jobType() {
    return JobType.PREDICTION;
  }

  @Override
  @JsonIgnore
  public String partitionKey() {
    return inputHash();
  }
}

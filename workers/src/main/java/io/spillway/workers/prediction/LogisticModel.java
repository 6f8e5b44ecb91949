package io.spillway.workers.prediction;

import com.fasterxml.jackson.databind.JsonNode;
import io.spillway.schemas.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;

/**
 * A logistic regression whose coefficients ship as a JSON resource ({@code models/<name>.json}):
 * known features are standardised and weighted; any other feature contributes through one of a
 * fixed set of hashed weights, so every input moves the score. Immutable and thread-safe.
 */
public final class LogisticModel {

  private record Feature(double mean, double scale, double weight) {}

  private final String name;
  private final String version;
  private final double intercept;
  private final Map<String, Feature> features;
  private final double[] hashedWeights;

  private LogisticModel(String name, String version, double intercept, Map<String, Feature> features, double[] hashed) {
    this.name = name;
    this.version = version;
    this.intercept = intercept;
    this.features = Map.copyOf(features);
    this.hashedWeights = hashed.clone();
  }

  /** Loads {@code models/<name>.json} from the classpath. */
  public static LogisticModel load(String name) {
    try (InputStream in = LogisticModel.class.getResourceAsStream("/models/" + name + ".json")) {
      if (in == null) {
        throw new IllegalArgumentException("no model named " + name);
      }
      JsonNode json = Json.mapper().readTree(in);
      Map<String, Feature> features = new HashMap<>();
      json.path("features").fields().forEachRemaining(
          e -> features.put(e.getKey(), new Feature(e.getValue().path("mean").asDouble(), e.getValue().path("scale").asDouble(1), e.getValue().path("weight").asDouble())));
      JsonNode hashed = json.path("hashedWeights");
      double[] weights = new double[hashed.size()];
      for (int i = 0; i < weights.length; i++) {
        weights[i] = hashed.get(i).asDouble();
      }
      return new LogisticModel(json.path("name").asText(name), json.path("version").asText(), json.path("intercept").asDouble(), features, weights);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read model " + name, e);
    }
  }

  public String name() {
    return name;
  }

  public String version() {
    return version;
  }

  /** The probability, in [0, 1], for features by name. */
  public double score(SortedMap<String, Double> input) {
    double z = intercept;
    for (Map.Entry<String, Double> e : input.entrySet()) {
      Feature known = features.get(e.getKey());
      if (known != null) {
        z += known.weight() * (e.getValue() - known.mean()) / known.scale();
      } else if (hashedWeights.length > 0) {
        int bucket = Math.floorMod(murmurish(e.getKey()), hashedWeights.length);
        z += hashedWeights[bucket] * Math.tanh(e.getValue());
      }
    }
    return 1.0 / (1.0 + Math.exp(-z));
  }

  private static int murmurish(String text) {
    int h = 0x9747b28c;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      h ^= b;
      h *= 0x5bd1e995;
      h ^= h >>> 15;
    }
    return h;
  }
}

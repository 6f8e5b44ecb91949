package io.spillway.workers.prediction;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.spillway.schemas.Json;
import io.spillway.schemas.JobError;
import io.spillway.schemas.PredictionInput;
import io.spillway.schemas.PredictionResult;
import io.spillway.schemas.RedisKeys;
import io.spillway.workers.consume.Delivery;
import io.spillway.workers.consume.JobProcessor;
import io.spillway.workers.consume.Outcome;
import io.spillway.workers.sink.RedisSink;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores predictions with the Redis prediction cache in front of the model (the seed article's
 * pattern): the batch's distinct inputs are looked up in one round trip; each input that misses
 * is computed once, however often it occurs in the batch (single flight — identical inputs share a
 * key, so they meet on one partition and one consumer), and written back with a TTL.
 */
public final class PredictionProcessor implements JobProcessor {

  private final Map<String, LogisticModel> models;
  private final RedisSink redis;
  private final Duration cacheTtl;
  private final Duration extraCpu;
  private final Counter hits;
  private final Counter misses;
  private final Counter collapsed;

  public PredictionProcessor(Map<String, LogisticModel> models, RedisSink redis, Duration cacheTtl, Duration extraCpu, MeterRegistry meters) {
    this.models = Map.copyOf(models);
    this.redis = redis;
    this.cacheTtl = cacheTtl;
    this.extraCpu = extraCpu;
    this.hits = Counter.builder("spillway.worker.prediction.cache").tag("result", "hit").register(meters);
    this.misses = Counter.builder("spillway.worker.prediction.cache").tag("result", "miss").register(meters);
    this.collapsed = Counter.builder("spillway.worker.prediction.cache").tag("result", "collapsed").register(meters);
  }

  @Override
  public List<Outcome> process(Connection tx, List<Delivery> deliveries) {
    Map<String, PredictionInput> distinct = new LinkedHashMap<>();
    String[] inputHashes = new String[deliveries.size()];
    for (int i = 0; i < deliveries.size(); i++) {
      PredictionInput input = (PredictionInput) deliveries.get(i).job().payload();
      inputHashes[i] = input.inputHash(); // computed here, never taken from the record key: a wrong key must not poison the cache
      distinct.putIfAbsent(inputHashes[i], input);
    }
    List<String> hashes = new ArrayList<>(distinct.keySet());
    Map<String, PredictionResult> cached = redis.getAll(hashes.stream().map(RedisKeys::predictionCache).toList(), PredictionResult.class);
    Map<String, PredictionResult> computed = new HashMap<>();
    Map<String, byte[]> toCache = new HashMap<>();
    List<Outcome> outcomes = new ArrayList<>(deliveries.size());
    for (int i = 0; i < deliveries.size(); i++) {
      PredictionInput input = (PredictionInput) deliveries.get(i).job().payload();
      String hash = inputHashes[i];
      PredictionResult hit = cached.get(RedisKeys.predictionCache(hash));
      if (hit != null) {
        hits.increment();
        outcomes.add(new Outcome.Succeeded(hit.fromCache(), true));
        continue;
      }
      PredictionResult mine = computed.get(hash);
      if (mine != null) {
        collapsed.increment();
        outcomes.add(new Outcome.Succeeded(mine.fromCache(), true));
        continue;
      }
      LogisticModel model = models.get(input.model());
      if (model == null) {
        outcomes.add(new Outcome.Failed(new JobError("UNKNOWN_MODEL", "no model named " + input.model())));
        continue;
      }
      misses.increment();
      PredictionResult result = new PredictionResult(score(model, input), model.version(), false);
      computed.put(hash, result);
      toCache.put(RedisKeys.predictionCache(hash), Json.bytes(result));
      outcomes.add(new Outcome.Succeeded(result, false));
    }
    redis.setAll(toCache, cacheTtl);
    return outcomes;
  }

  private double score(LogisticModel model, PredictionInput input) {
    if (!extraCpu.isZero()) {
      burn(extraCpu.toNanos(), input.features().size());
    }
    return model.score(input.features());
  }

  /** Emulates a heavier model: real arithmetic on the CPU for the configured time. */
  private static void burn(long nanos, int seed) {
    long end = System.nanoTime() + nanos;
    double x = seed + 1;
    while (System.nanoTime() < end) {
      for (int i = 0; i < 64; i++) {
        x = Math.sqrt(x * 1.0000001 + i);
      }
    }
    if (x == 42.4242) {
      throw new AssertionError(); // keeps the loop from being optimised away
    }
  }
}

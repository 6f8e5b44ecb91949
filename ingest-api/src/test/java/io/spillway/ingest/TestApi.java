package io.spillway.ingest;

import io.spillway.devstack.DevStack;
import io.spillway.schemas.Topics;
import io.spillway.schemas.env.SpillwayEnv;
import java.util.HashMap;
import java.util.Map;

/** Starts an ingest API for a test: on a free port, on the stack's services and the test's topics. */
final class TestApi {

  private TestApi() {}

  /** @param settings {@code SPILLWAY_*} variables of the test's own, API keys among them */
  static IngestApi start(DevStack stack, Topics topics, Map<String, String> settings) {
    Map<String, String> env = new HashMap<>(stack.env());
    env.put(SpillwayEnv.TOPIC_PREFIX, topics.prefix());
    env.put(SpillwayEnv.HTTP_PORT, "0");
    env.putAll(settings);
    return IngestApi.start(IngestConfig.fromEnv(new SpillwayEnv(env)));
  }
}

package io.spillway.system;

import io.spillway.devstack.DevStack;
import io.spillway.ingest.IngestApi;
import io.spillway.ingest.IngestConfig;
import io.spillway.schemas.env.SpillwayEnv;
import io.spillway.streams.StreamsApp;
import io.spillway.streams.StreamsConfig;
import io.spillway.workers.Workers;
import io.spillway.workers.WorkersConfig;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;

/**
 * The three services running in this JVM against a devstack, wired as run-local wires them. The
 * test that creates it closes it.
 */
final class RunningPipeline implements AutoCloseable {

  static final String TENANT = "acme";
  static final String API_KEY = "acme-key-0123456789abcdef";
  static final String OTHER_TENANT_KEY = "globex-key-0123456789abcdef";

  final IngestApi ingest;
  final Workers workers;
  final StreamsApp streams;
  final SpillwayEnv env;

  private RunningPipeline(IngestApi ingest, Workers workers, StreamsApp streams, SpillwayEnv env) {
    this.ingest = ingest;
    this.workers = workers;
    this.streams = streams;
    this.env = env;
  }

  static RunningPipeline start(DevStack stack) throws Exception {
    Map<String, String> vars = new HashMap<>(stack.env());
    vars.put(SpillwayEnv.HTTP_PORT, "0");
    vars.put(SpillwayEnv.METRICS_PORT, "0");
    vars.put(SpillwayEnv.STATS_PORT, "0");
    vars.put(SpillwayEnv.API_KEYS, TENANT + ":" + API_KEY + ",globex:" + OTHER_TENANT_KEY);
    vars.put("SPILLWAY_STREAMS_STATE_DIR", Files.createTempDirectory("spillway-streams-").toString());
    SpillwayEnv env = new SpillwayEnv(vars);
    Workers workers = Workers.start(WorkersConfig.fromEnv(env));
    IngestApi ingest = IngestApi.start(IngestConfig.fromEnv(env));
    StreamsApp streams = StreamsApp.start(StreamsConfig.fromEnv(env));
    return new RunningPipeline(ingest, workers, streams, env);
  }

  String api() {
    return "http://127.0.0.1:" + ingest.port();
  }

  @Override
  public void close() throws Exception {
    try (streams; ingest; workers) {
      // closes in reverse order: workers, ingest, streams
    }
  }
}

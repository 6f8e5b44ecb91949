package io.spillway.cli;

import io.spillway.schemas.Topics;
import picocli.CommandLine.Option;

/** Options every command understands; each defaults from a {@code SPILLWAY_*} variable. */
public final class GlobalOptions {

  @Option(names = "--api", defaultValue = "${env:SPILLWAY_API_URL:-http://127.0.0.1:8080}",
      description = "Ingest API base URL (SPILLWAY_API_URL; default ${DEFAULT-VALUE})")
  public String api;

  @Option(names = "--api-key", defaultValue = "${env:SPILLWAY_API_KEY}", description = "API key (SPILLWAY_API_KEY)")
  public String apiKey;

  @Option(names = "--bootstrap", defaultValue = "${env:SPILLWAY_KAFKA_BOOTSTRAP:-127.0.0.1:9092}",
      description = "Kafka bootstrap servers (SPILLWAY_KAFKA_BOOTSTRAP; default ${DEFAULT-VALUE})")
  public String bootstrap;

  @Option(names = "--topic-prefix", defaultValue = "${env:SPILLWAY_TOPIC_PREFIX:-}", description = "Topic name prefix (SPILLWAY_TOPIC_PREFIX)")
  public String topicPrefix;

  @Option(names = "--json", description = "Print JSON instead of a table")
  public boolean json;

  public Topics topics() {
    return Topics.withPrefix(topicPrefix == null ? "" : topicPrefix);
  }

  public String requireApiKey() {
    if (apiKey == null || apiKey.isBlank()) {
      throw new UsageError("no API key: pass --api-key or set SPILLWAY_API_KEY");
    }
    return apiKey;
  }
}

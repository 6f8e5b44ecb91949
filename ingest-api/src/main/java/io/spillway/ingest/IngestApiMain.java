package io.spillway.ingest;

import io.spillway.schemas.env.ConfigException;
import io.spillway.schemas.env.SpillwayEnv;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the ingest API from the environment and stops it cleanly on SIGTERM. */
public final class IngestApiMain {

  private static final Logger log = LoggerFactory.getLogger(IngestApiMain.class);

  private IngestApiMain() {}

  public static void main(String[] args) {
    IngestConfig config;
    try {
      config = IngestConfig.fromEnv(SpillwayEnv.system());
    } catch (ConfigException e) {
      System.err.println("ingest-api: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (config.apiKeys().isEmpty()) {
      log.warn("SPILLWAY_API_KEYS is empty: every job request will be answered 401");
    }
    IngestApi api = IngestApi.start(config);
    Runtime.getRuntime().addShutdownHook(new Thread(api::close, "ingest-shutdown"));
  }
}

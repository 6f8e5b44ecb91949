package io.spillway.streams;

import io.spillway.schemas.env.ConfigException;
import io.spillway.schemas.env.SpillwayEnv;

/** Starts the streams app from the environment and stops it cleanly on SIGTERM. */
public final class StreamsAppMain {

  private StreamsAppMain() {}

  public static void main(String[] args) {
    StreamsConfig config;
    try {
      config = StreamsConfig.fromEnv(SpillwayEnv.system());
    } catch (ConfigException e) {
      System.err.println("streams-app: " + e.getMessage());
      System.exit(2);
      return;
    }
    StreamsApp app = StreamsApp.start(config);
    Runtime.getRuntime().addShutdownHook(new Thread(app::close, "streams-shutdown"));
  }
}

package io.spillway.workers;

import io.spillway.schemas.env.ConfigException;
import io.spillway.schemas.env.SpillwayEnv;

/** Starts the workers from the environment and stops them cleanly on SIGTERM. */
public final class WorkersMain {

  private WorkersMain() {}

  public static void main(String[] args) {
    WorkersConfig config;
    try {
      config = WorkersConfig.fromEnv(SpillwayEnv.system());
    } catch (ConfigException e) {
      System.err.println("workers: " + e.getMessage());
      System.exit(2);
      return;
    }
    Workers workers = Workers.start(config);
    Runtime.getRuntime().addShutdownHook(new Thread(workers::close, "workers-shutdown"));
  }
}

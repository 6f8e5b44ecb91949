package io.spillway.drills.infra;

import io.spillway.devstack.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import redis.embedded.RedisServer;

/**
 * An embedded Redis of the drill's own on a fixed port. It keeps nothing on disk, so a stop and
 * start is also a flush: everything Redis held must be rebuilt from PostgreSQL and Kafka.
 */
public final class RestartableRedis implements AutoCloseable {

  private final int port = Ports.free();
  private RedisServer server;

  public synchronized void start() {
    if (server != null) {
      return;
    }
    try {
      server =
          RedisServer.newRedisServer()
              .port(port)
              .bind("127.0.0.1")
              .setting("save \"\"")
              .setting("appendonly no")
              .build();
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the drill's Redis", e);
    }
  }

  public synchronized void stop() {
    if (server == null) {
      return;
    }
    try {
      server.stop();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stop the drill's Redis", e);
    } finally {
      server = null;
    }
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  @Override
  public void close() {
    stop();
  }
}

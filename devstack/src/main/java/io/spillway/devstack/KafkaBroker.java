package io.spillway.devstack;

/**
 * The Kafka cluster a stack talks to, with the controls fault tests need. Owned and closed by the
 * {@link DevStack} that started it.
 */
public interface KafkaBroker extends AutoCloseable {

  /** The bootstrap servers, {@code host:port}. */
  String bootstrap();

  /** Whether {@link #stop()}, {@link #start()}, {@link #kill()} and {@link #freeze()} are supported. */
  boolean controllable();

  /** Stops the broker cleanly (SIGTERM) and waits until it is gone. */
  void stop();

  /** Kills the broker at once (SIGKILL), as a crash would. */
  void kill();

  /**
   * Freezes the broker (SIGSTOP) until {@link #thaw()}: its connections stay open and nothing is
   * answered, as in a long GC pause or on a hung disk.
   */
  void freeze();

  /** Lets a frozen broker run on (SIGCONT). */
  void thaw();

  /** Starts a stopped or killed broker again on the same port and data, and waits until ready. */
  void start();

  @Override
  void close();
}

package io.spillway.devstack;

import org.testcontainers.kafka.KafkaContainer;

/**
 * Testcontainers' Kafka (the official {@code apache/kafka} image), for machines with a Docker
 * engine ({@code SPILLWAY_TEST_KAFKA=testcontainers}). Stop and start pause and resume the
 * container, so its mapped port stays; a SIGKILL of the broker is not offered.
 */
final class ContainerKafkaBroker implements KafkaBroker {

  static final String IMAGE = "apache/kafka:4.1.1";

  private final KafkaContainer container;

  private ContainerKafkaBroker(KafkaContainer container) {
    this.container = container;
  }

  static ContainerKafkaBroker launch() {
    KafkaContainer container =
        new KafkaContainer(IMAGE).withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false");
    container.start();
    return new ContainerKafkaBroker(container);
  }

  @Override
  public String bootstrap() {
    return container.getBootstrapServers();
  }

  @Override
  public boolean controllable() {
    return true;
  }

  @Override
  public void stop() {
    container.getDockerClient().pauseContainerCmd(container.getContainerId()).exec();
  }

  @Override
  public void kill() {
    throw new UnsupportedOperationException(
        "a Testcontainers broker cannot be SIGKILLed and restarted on the same port; use the embedded broker");
  }

  @Override
  public void start() {
    container.getDockerClient().unpauseContainerCmd(container.getContainerId()).exec();
  }

  @Override
  public void freeze() {
    stop();
  }

  @Override
  public void thaw() {
    start();
  }

  @Override
  public void close() {
    container.stop();
  }
}

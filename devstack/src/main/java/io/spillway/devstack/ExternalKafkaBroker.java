package io.spillway.devstack;

/** A cluster someone else runs ({@code SPILLWAY_KAFKA_BOOTSTRAP}): used, never controlled. */
record ExternalKafkaBroker(String bootstrap) implements KafkaBroker {

  @Override
  public boolean controllable() {
    return false;
  }

  @Override
  public void stop() {
    throw refused();
  }

  @Override
  public void kill() {
    throw refused();
  }

  @Override
  public void start() {
    throw refused();
  }

  @Override
  public void freeze() {
    throw refused();
  }

  @Override
  public void thaw() {
    throw refused();
  }

  private UnsupportedOperationException refused() {
    return new UnsupportedOperationException("the configured cluster at " + bootstrap + " is not ours to control");
  }

  @Override
  public void close() {}
}

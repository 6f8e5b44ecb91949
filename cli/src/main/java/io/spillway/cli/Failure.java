package io.spillway.cli;

/** The command ran but did not succeed (an error answer, nothing found): exit code 1. */
public final class Failure extends RuntimeException {
  public Failure(String message) {
    super(message, null, false, false);
  }
}

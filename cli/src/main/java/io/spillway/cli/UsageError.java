package io.spillway.cli;

/** A mistake in how a command was called: exit code 2. */
public final class UsageError extends RuntimeException {
  public UsageError(String message) {
    super(message, null, false, false);
  }
}

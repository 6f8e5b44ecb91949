package io.spillway.schemas;

import java.util.Objects;

/**
 * Why a job failed or was dead-lettered.
 *
 * @param code a stable machine-readable code, e.g. {@code UNKNOWN_ACCOUNT}
 * @param message a human-readable explanation
 */
public record JobError(String code, String message) {

  public JobError {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
  }
}

package io.spillway.schemas;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Optional;

/** The kinds of job Spillway runs. The wire name is the lower-case word used in URLs and JSON. */
public enum JobType {
  /** A card payment: risk-scored, approved or declined, written to the ledger. */
  PAYMENT("payment", PaymentInput.class),
  /** A model scoring request, answered from the prediction cache when the input was seen. */
  PREDICTION("prediction", PredictionInput.class);

  private final String wireName;
  private final Class<? extends JobPayload> payloadClass;

  JobType(String wireName, Class<? extends JobPayload> payloadClass) {
    this.wireName = wireName;
    this.payloadClass = payloadClass;
  }

  @JsonValue
  public String wireName() {
    return wireName;
  }

  public Class<? extends JobPayload> payloadClass() {
    return payloadClass;
  }

  /** The type for a wire name such as {@code payment}, if there is one. */
  public static Optional<JobType> fromWireName(String name) {
    if (name == null) {
      return Optional.empty();
    }
    String lower = name.toLowerCase(Locale.ROOT);
    for (JobType type : values()) {
      if (type.wireName.equals(lower)) {
        return Optional.of(type);
      }
    }
    return Optional.empty();
  }

  @JsonCreator
  static JobType fromJson(String name) {
    return fromWireName(name)
        .orElseThrow(() -> new IllegalArgumentException("unknown job type: " + name));
  }
}

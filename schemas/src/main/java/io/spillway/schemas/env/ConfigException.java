package io.spillway.schemas.env;

/** A configuration value is missing or wrong; the message names the variable and the problem. */
public final class ConfigException extends RuntimeException {

  private final String variable;

  public ConfigException(String variable, String problem) {
    super(variable + ": " + problem);
    this.variable = variable;
  }

  /** The environment variable at fault. */
  public String variable() {
    return variable;
  }
}

package io.spillway.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.List;

/** Prints an answer as JSON or as an aligned two-column table of chosen fields. */
public final class Output {

  private Output() {}

  public static void print(PrintWriter out, boolean json, JsonNode body, String... fields) {
    if (json) {
      out.println(body.toString());
      out.flush();
      return;
    }
    int width = List.of(fields).stream().mapToInt(String::length).max().orElse(0);
    for (String field : fields) {
      JsonNode value = body.get(field);
      if (value != null && !value.isNull()) {
        out.printf("%-" + width + "s  %s%n", field, value.isTextual() ? value.asText() : value.toString());
      }
    }
    out.flush();
  }
}

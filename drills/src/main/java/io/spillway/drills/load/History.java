package io.spillway.drills.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.spillway.schemas.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The drill's history file: one JSON line per request outcome, appended as they finish. */
public final class History implements AutoCloseable {

  private final ObjectMapper json = Json.mapper();
  private final BufferedWriter out;
  private final List<Outcome> outcomes = new ArrayList<>();

  public History(Path file) {
    try {
      this.out = Files.newBufferedWriter(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the history " + file, e);
    }
  }

  public synchronized void record(Outcome outcome) {
    outcomes.add(outcome);
    try {
      out.write(json.writeValueAsString(outcome));
      out.newLine();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to the history", e);
    }
  }

  public synchronized List<Outcome> outcomes() {
    return List.copyOf(outcomes);
  }

  /** Reads a history file written earlier. */
  public static List<Outcome> read(Path file) throws IOException {
    ObjectMapper json = Json.mapper();
    List<Outcome> result = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      if (!line.isBlank()) {
        result.add(json.readValue(line, Outcome.class));
      }
    }
    return result;
  }

  @Override
  public synchronized void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close the history", e);
    }
  }
}

package io.spillway.drills.bench;

import io.spillway.devstack.Directories;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A benchmark's scratch directory (a broker's data, its services' logs, state stores): created
 * under the system's temporary directory, its path printed, and removed with everything in it once
 * the run went through. A run that failed leaves it, for the logs.
 */
final class ScratchDir {

  private ScratchDir() {}

  /** A new, empty directory; prints what it holds and where. */
  static Path create(String prefix, String holds) throws IOException {
    Path dir = Files.createTempDirectory(prefix);
    System.out.printf("%s: %s in %s%n", prefix, holds, dir);
    return dir;
  }

  /** Removes the directory and everything in it. */
  static void remove(Path dir) {
    Directories.removeTree(dir);
  }
}

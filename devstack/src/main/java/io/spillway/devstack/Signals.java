package io.spillway.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/** POSIX signals the JDK cannot send itself: SIGSTOP and SIGCONT, to freeze and thaw a process. */
public final class Signals {

  private Signals() {}

  /** Sends {@code SIG<name>} (e.g. {@code STOP}, {@code CONT}) to a process; throws when it could not. */
  public static void send(Process process, String name) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start();
      if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot send SIG" + name + " to process " + process.pid(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending SIG" + name + " to process " + process.pid(), e);
    }
  }
}

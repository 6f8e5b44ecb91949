package io.spillway.cli.load;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * How long the generator's machine kept a runnable thread from running, as jHiccup measures it: a
 * thread that only sleeps {@value #TICK_MICROS} µs at a time records by how much each sleep
 * overran (µs). A pause of the generator's JVM, or a stretch in which the host gave it no CPU, delays
 * every request due in it; those requests count from their intended send time, so such a stall
 * shows in the latencies even when the server answered each of them at once. Set beside the
 * latencies, a stall says how much of a tail the platform made. Start once, stop once.
 */
final class Hiccups implements AutoCloseable {

  static final long TICK_MICROS = 1_000;

  private final Recorder recorder = new Recorder(LoadRecorder.HIGHEST_MICROS, 3);
  private final LongConsumer sleep;
  private volatile boolean running = true;
  private final Thread thread;

  /** @param sleep sleeps the given nanoseconds (or longer, which is what is measured) */
  Hiccups(LongConsumer sleep) {
    this.sleep = sleep;
    this.thread = Thread.ofPlatform().daemon().name("load-hiccups").start(this::run);
  }

  static Hiccups start() {
    return new Hiccups(LockSupport::parkNanos);
  }

  private void run() {
    long tickNanos = TimeUnit.MICROSECONDS.toNanos(TICK_MICROS);
    while (running) {
      long before = System.nanoTime();
      sleep.accept(tickNanos);
      long overrun = System.nanoTime() - before - tickNanos;
      recorder.recordValue(Math.min(LoadRecorder.HIGHEST_MICROS, Math.max(0, overrun / 1_000)));
    }
  }

  /** Stops the sleeper and returns every overrun it recorded (µs). */
  Histogram stop() {
    close();
    return recorder.getIntervalHistogram();
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

package io.spillway.devstack;

import java.util.Optional;

/**
 * The main class of the broker child JVM: runs {@code kafka.Kafka} and halts the broker when the
 * JVM that started it is gone, so a killed test run or {@code run-local.sh} leaves no broker behind.
 * Arguments: the owner's pid, then the {@code server.properties} path.
 */
public final class BrokerLauncher {

  private BrokerLauncher() {}

  public static void main(String[] args) throws Exception {
    long ownerPid = Long.parseLong(args[0]);
    Optional<ProcessHandle> owner = ProcessHandle.of(ownerPid);
    Thread watchdog =
        Thread.ofPlatform()
            .daemon()
            .name("owner-watchdog")
            .start(
                () -> {
                  while (owner.map(ProcessHandle::isAlive).orElse(false)) {
                    try {
                      Thread.sleep(1000);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                  Runtime.getRuntime().halt(3);
                });
    assert watchdog.isDaemon();
    kafka.Kafka.main(new String[] {args[1]});
  }
}

package io.spillway.devstack;

import io.spillway.schemas.env.ConfigException;
import io.spillway.schemas.env.SpillwayEnv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * Runs the embedded stack until SIGINT or SIGTERM and prints the {@code SPILLWAY_*} environment
 * the services need. With {@code --env-file PATH} it also writes that environment as {@code
 * KEY=value} lines once everything is ready (the signal {@code run-local.sh} waits for).
 */
public final class DevStackMain {

  private DevStackMain() {}

  public static void main(String[] args) throws Exception {
    Path envFile = null;
    for (int i = 0; i < args.length; i++) {
      if ("--env-file".equals(args[i]) && i + 1 < args.length) {
        envFile = Path.of(args[++i]);
      } else {
        System.err.println("devstack: unknown argument " + args[i] + " (usage: [--env-file PATH])");
        System.exit(2);
      }
    }
    DevStack stack;
    try {
      stack = DevStack.start(DevStackConfig.fromEnv(SpillwayEnv.system()));
    } catch (ConfigException | IllegalStateException e) {
      System.err.println("devstack: " + e.getMessage());
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stack.close();
                  stopped.countDown();
                },
                "devstack-stop"));
    Map<String, String> env = stack.env();
    System.out.println("# devstack: " + stack.describe());
    env.forEach((k, v) -> System.out.println("export " + k + "='" + v + "'"));
    if (envFile != null) {
      writeAtomically(envFile, env);
    }
    stopped.await();
  }

  private static void writeAtomically(Path file, Map<String, String> env) throws IOException {
    String text =
        env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("\n", "", "\n"));
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, text);
    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }
}

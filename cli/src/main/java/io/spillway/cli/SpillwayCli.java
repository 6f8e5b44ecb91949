package io.spillway.cli;

import io.spillway.cli.client.BatchCommand;
import io.spillway.cli.client.StatusCommand;
import io.spillway.cli.client.SubmitCommand;
import io.spillway.cli.ops.DlqCommand;
import io.spillway.cli.ops.LagCommand;
import io.spillway.cli.ops.ReplayCommand;
import io.spillway.cli.load.LoadCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code spillway} command. */
@Command(
    name = "spillway",
    mixinStandardHelpOptions = true,
    version = "spillway 0.1.0",
    description = "Submit and poll jobs, inspect and redrive dead letters, watch consumer lag.",
    subcommands = {SubmitCommand.class, StatusCommand.class, BatchCommand.class, ReplayCommand.class, DlqCommand.class, LagCommand.class, LoadCommand.class, CommandLine.HelpCommand.class})
public final class SpillwayCli implements Runnable {

  @Override
  public void run() {
    throw new UsageError("missing command (see spillway --help)");
  }

  /** The command line with Spillway's exit codes and one-line errors. */
  public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new SpillwayCli());
    cli.setOut(out);
    cli.setErr(err);
    cli.setParameterExceptionHandler((ex, args) -> {
      err.println("spillway: " + ex.getMessage());
      err.flush();
      return 2;
    });
    cli.setExecutionExceptionHandler((ex, command, parsed) -> {
      boolean usage = ex instanceof UsageError;
      String message = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
      err.println("spillway: " + message.lines().findFirst().orElse(message));
      err.flush();
      return usage ? 2 : 1;
    });
    return cli;
  }

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    System.exit(commandLine(out, err).execute(args));
  }
}

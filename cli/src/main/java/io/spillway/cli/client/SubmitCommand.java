package io.spillway.cli.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spillway.cli.GlobalOptions;
import io.spillway.cli.UsageError;
import io.spillway.schemas.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code spillway submit payment|prediction}. */
@Command(name = "submit", mixinStandardHelpOptions = true, description = "Submit a payment or a prediction job.")
public final class SubmitCommand implements Callable<Integer> {

  @Mixin GlobalOptions global;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "TYPE", description = "payment or prediction")
  String type;

  @Option(names = "--file", description = "The job's input as a JSON file (instead of the flags)")
  Path file;

  @Option(names = "--idempotency-key", description = "Makes retries safe: the same key always yields the same job")
  String idempotencyKey;

  @Option(names = "--account", description = "payment: account id") String account;
  @Option(names = "--amount", description = "payment: amount in minor units (cents)") Long amount;
  @Option(names = "--currency", defaultValue = "EUR", description = "payment: ISO-4217 code (default ${DEFAULT-VALUE})") String currency;
  @Option(names = "--merchant", description = "payment: merchant id") String merchant;
  @Option(names = "--model", defaultValue = "default", description = "prediction: model name (default ${DEFAULT-VALUE})") String model;
  @Option(names = "--feature", description = "prediction: a feature as name=number (repeatable)") Map<String, Double> features;

  @Override
  public Integer call() throws IOException {
    if (!type.equals("payment") && !type.equals("prediction")) {
      throw new UsageError("TYPE must be payment or prediction, not '" + type + "'");
    }
    String body = file != null ? Files.readString(file) : fromFlags();
    ApiClient.Answer answer = ApiClient.ok(new ApiClient(global.api, global.requireApiKey()).post("/v1/jobs/" + type, body, idempotencyKey));
    Output.print(spec.commandLine().getOut(), global.json, answer.body(), "jobId", "type", "status", "statusUrl");
    return 0;
  }

  private String fromFlags() {
    ObjectNode json = Json.mapper().createObjectNode();
    if (type.equals("payment")) {
      if (account == null || amount == null || merchant == null) {
        throw new UsageError("a payment needs --account, --amount and --merchant (or --file)");
      }
      json.put("accountId", account).put("amountMinor", amount).put("currency", currency).put("merchantId", merchant);
    } else {
      if (features == null || features.isEmpty()) {
        throw new UsageError("a prediction needs at least one --feature name=number (or --file)");
      }
      json.put("model", model);
      ObjectNode f = json.putObject("features");
      features.forEach(f::put);
    }
    return json.toString();
  }

}

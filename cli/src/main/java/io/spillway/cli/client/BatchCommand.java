package io.spillway.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spillway.cli.GlobalOptions;
import io.spillway.cli.UsageError;
import io.spillway.schemas.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code spillway batch FILE}: JSON lines, each {@code {"type":"payment","input":{…},"idempotencyKey":"…"}},
 * sent in batches of 500; prints one line per job.
 */
@Command(name = "batch", mixinStandardHelpOptions = true, description = "Submit the jobs of a JSON-lines file through POST /v1/jobs/batch.")
public final class BatchCommand implements Callable<Integer> {

  @Mixin GlobalOptions global;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "JSON lines: {\"type\":…,\"input\":{…}}") Path file;

  @Override
  public Integer call() throws IOException {
    if (!Files.isReadable(file)) {
      throw new UsageError("cannot read " + file);
    }
    List<String> lines = Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList();
    ApiClient api = new ApiClient(global.api, global.requireApiKey());
    int accepted = 0;
    int rejected = 0;
    var out = spec.commandLine().getOut();
    for (int start = 0; start < lines.size(); start += 500) {
      ObjectNode body = Json.mapper().createObjectNode();
      ArrayNode jobs = body.putArray("jobs");
      for (int i = start; i < Math.min(lines.size(), start + 500); i++) {
        try {
          jobs.add(Json.mapper().readTree(lines.get(i)));
        } catch (IOException e) {
          throw new UsageError(file + " line " + (i + 1) + " is not JSON");
        }
      }
      JsonNode results = ApiClient.ok(api.post("/v1/jobs/batch", body.toString(), null)).body().path("results");
      for (JsonNode r : results) {
        int line = start + r.path("index").asInt() + 1;
        if (r.path("status").asInt() == 202) {
          accepted++;
          out.println(global.json ? r.toString() : "line " + line + "  accepted  " + r.path("jobId").asText());
        } else {
          rejected++;
          out.println(global.json ? r.toString() : "line " + line + "  rejected  " + r.path("status").asInt() + " " + r.path("problem").path("detail").asText());
        }
      }
    }
    if (!global.json) {
      out.println(accepted + " accepted, " + rejected + " rejected");
    }
    out.flush();
    return rejected == 0 ? 0 : 1;
  }
}

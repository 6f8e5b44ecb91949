package io.spillway.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The compose deployment agrees with the code and the README. */
class ComposeDeploymentTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path COMPOSE = ROOT.resolve("compose/docker-compose.yml");

  /** Whether an executable of that name is on the PATH. */
  static boolean onPath(String command) {
    return java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
        .anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
  }

  @Test
  void composeCreatesEveryTopicWithThePartitionCountTheCodeDefines() throws Exception {
    String compose = Files.readString(COMPOSE);
    Map<String, Integer> created = new HashMap<>();
    Matcher m = Pattern.compile("create (\\S+) (\\d+)").matcher(compose);
    while (m.find()) {
      created.put(m.group(1), Integer.parseInt(m.group(2)));
    }
    Map<String, Integer> defined = new HashMap<>();
    Topics.defaults().all().forEach(t -> defined.put(t.name(), t.partitions()));

    assertThat(created).isEqualTo(defined);
  }

  @Test
  void everySpillwayVariableOfTheDeploymentIsDocumentedInTheReadme() throws Exception {
    String readme = Files.readString(ROOT.resolve("README.md"));
    Set<String> used = new TreeSet<>();
    Matcher m = Pattern.compile("\\b(SPILLWAY_[A-Z0-9_]+)\\b").matcher(Files.readString(COMPOSE));
    while (m.find()) {
      used.add(m.group(1));
    }

    assertThat(used).isNotEmpty().allSatisfy(v -> assertThat(readme).as(v + " in README.md").contains("`" + v + "`"));
  }

  @Test
  void composeFileIsValidForDockerCompose() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(onPath("docker-compose"),
        "docker-compose is not installed (scripts/test.sh installs Debian's docker-compose package when it can)");
    ProcessBuilder check = new ProcessBuilder("docker-compose", "-f", COMPOSE.toString(), "config", "-q").redirectErrorStream(true);
    check.environment().put("SPILLWAY_API_KEYS", "acme:change-me-please");
    check.environment().put("SPILLWAY_JOB_ID_SECRET", "a-long-random-secret-for-the-check");
    Process p = check.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }
}

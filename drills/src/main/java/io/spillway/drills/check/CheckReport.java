package io.spillway.drills.check;

import io.spillway.drills.faults.FaultWindow;
import java.util.List;

/**
 * What the checker found.
 *
 * @param requests logical requests the client made (retries not counted)
 * @param acknowledged requests answered 202
 * @param rejected requests answered with a definite 4xx
 * @param unanswered requests that got no final answer (gave up on 5xx, 503 or timeouts)
 * @param terminal acknowledged jobs in a terminal state in PostgreSQL
 * @param lost acknowledged jobs not terminal in PostgreSQL
 * @param duplicated payment jobs with more than one ledger entry, or accounts whose total
 *     differs from the sum of their ledger entries
 * @param phantom jobs in PostgreSQL that no client saw acknowledged
 * @param orderViolations pairs of one account's payments applied out of acknowledgement order
 * @param fiveHundredsInFaults 5xx answers (other than 503) inside fault windows
 * @param fiveHundredsOutside 5xx answers (other than 503) outside fault windows
 * @param hangs attempts that got no answer within the attempt timeout
 * @param poisonSent undecodable records written to the job topics
 * @param poisonDeadLettered of those, how many reached the DLQ
 * @param faults every fault with its window and recovery time
 * @param examples a few ids per problem, for whoever investigates
 */
public record CheckReport(
    long requests,
    long acknowledged,
    long rejected,
    long unanswered,
    long terminal,
    long lost,
    long duplicated,
    long phantom,
    long orderViolations,
    long fiveHundredsInFaults,
    long fiveHundredsOutside,
    long hangs,
    long poisonSent,
    long poisonDeadLettered,
    List<FaultWindow> faults,
    List<String> examples) {

  /** The invariants: nothing lost, nothing twice, nothing invented, order kept, poison handled. */
  public boolean passed() {
    return lost == 0
        && duplicated == 0
        && phantom == 0
        && orderViolations == 0
        && poisonDeadLettered == poisonSent;
  }

  /** A markdown section for {@code bench/results/drills-<date>.md}. */
  public String toMarkdown(String title) {
    StringBuilder md = new StringBuilder();
    md.append("## ").append(title).append(passed() ? " — PASSED" : " — FAILED").append("\n\n");
    md.append("| measure | value |\n| --- | --- |\n");
    row(md, "requests", requests);
    row(md, "acknowledged (202)", acknowledged);
    row(md, "rejected (4xx)", rejected);
    row(md, "unanswered (gave up)", unanswered);
    row(md, "terminal in PostgreSQL", terminal);
    row(md, "**lost**", lost);
    row(md, "**duplicated**", duplicated);
    row(md, "**phantom**", phantom);
    row(md, "**order violations**", orderViolations);
    row(md, "5xx (not 503) during faults", fiveHundredsInFaults);
    row(md, "5xx (not 503) outside faults", fiveHundredsOutside);
    row(md, "hangs > 5 s", hangs);
    row(md, "poison records sent / dead-lettered", poisonSent + " / " + poisonDeadLettered);
    md.append("\n| fault | held ms | recovery ms |\n| --- | --- | --- |\n");
    for (FaultWindow f : faults) {
      md.append("| ").append(f.fault()).append(" | ").append(f.healedAt() - f.injectedAt()).append(" | ")
          .append(f.recoveryMillis() < 0 ? "did not recover" : String.valueOf(f.recoveryMillis())).append(" |\n");
    }
    if (!examples.isEmpty()) {
      md.append("\nExamples: ").append(String.join(", ", examples)).append("\n");
    }
    return md.append('\n').toString();
  }

  private static void row(StringBuilder md, String name, Object value) {
    md.append("| ").append(name).append(" | ").append(value).append(" |\n");
  }
}

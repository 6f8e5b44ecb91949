package io.spillway.drills.load;

import java.util.List;

/**
 * What happened to one logical request of the drill's client, across its retries. One line of
 * the history file.
 *
 * @param seq the order in which the client created the request
 * @param idempotencyKey the key sent with every attempt
 * @param type payment or prediction
 * @param accountId the paying account, for payments
 * @param amountMinor the amount, for payments
 * @param firstSentAt when the first attempt left, epoch ms
 * @param finishedAt when the final answer came, epoch ms
 * @param finalStatus the status of the final answer; 0 if no answer came at all
 * @param jobId the job id of a 202
 * @param attempts every attempt: when and what it got
 */
public record Outcome(
    long seq,
    String idempotencyKey,
    String type,
    String accountId,
    long amountMinor,
    long firstSentAt,
    long finishedAt,
    int finalStatus,
    String jobId,
    List<Attempt> attempts) {

  /**
   * One HTTP attempt.
   *
   * @param sentAt epoch ms
   * @param tookMs how long the answer took (or the attempt's timeout)
   * @param status the HTTP status, 0 for a connection error, -1 for a timeout
   */
  public record Attempt(long sentAt, long tookMs, int status) {}

  public boolean acknowledged() {
    return finalStatus == 202 && jobId != null;
  }
}

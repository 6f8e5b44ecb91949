package io.spillway.workers.payment;

import io.spillway.schemas.JobError;
import io.spillway.schemas.PaymentInput;
import io.spillway.schemas.PaymentResult;
import io.spillway.workers.consume.Delivery;
import io.spillway.workers.consume.JobProcessor;
import io.spillway.workers.consume.Outcome;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides payments and writes the ledger. In the batch's transaction, per payment and in record
 * order (so per account in submit order): lock the account (opening it on first sight), and if
 * the job already has a ledger entry — a redelivery or a replay — answer with that entry and move
 * nothing; otherwise score the risk, decide (declined when risky or over the daily limit), write
 * the one ledger entry and move the running totals. A closed account fails the job.
 */
public final class PaymentProcessor implements JobProcessor {

  private final RiskModel risk = new RiskModel();

  @Override
  public List<Outcome> process(Connection tx, List<Delivery> deliveries) throws SQLException {
    List<Outcome> outcomes = new ArrayList<>(deliveries.size());
    try (PreparedStatement open = tx.prepareStatement("INSERT INTO accounts (account_id) VALUES (?) ON CONFLICT DO NOTHING");
        PreparedStatement lock = tx.prepareStatement(
            "SELECT a.status, a.daily_limit_minor, t.day, t.day_total_minor FROM accounts a "
                + "LEFT JOIN account_totals t ON t.account_id = a.account_id WHERE a.account_id = ? FOR UPDATE OF a");
        PreparedStatement existing = tx.prepareStatement("SELECT entry_id, decision, risk_score FROM payment_ledger WHERE job_id = ?");
        PreparedStatement ledger = tx.prepareStatement(
            "INSERT INTO payment_ledger (job_id, account_id, amount_minor, currency, merchant_id, decision, risk_score) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING entry_id");
        PreparedStatement totals = tx.prepareStatement(
            "INSERT INTO account_totals (account_id, total_minor, day, day_total_minor, approved) VALUES (?, ?, ?, ?, 1) "
                + "ON CONFLICT (account_id) DO UPDATE SET total_minor = account_totals.total_minor + EXCLUDED.total_minor, "
                + "day_total_minor = CASE WHEN account_totals.day = EXCLUDED.day THEN account_totals.day_total_minor + EXCLUDED.day_total_minor ELSE EXCLUDED.day_total_minor END, "
                + "day = EXCLUDED.day, approved = account_totals.approved + 1")) {
      for (Delivery d : deliveries) {
        PaymentInput payment = (PaymentInput) d.job().payload();
        existing.setString(1, d.job().jobId());
        try (ResultSet rs = existing.executeQuery()) {
          if (rs.next()) {
            outcomes.add(new Outcome.Succeeded(
                new PaymentResult(PaymentResult.Decision.valueOf(rs.getString(2)), rs.getDouble(3), rs.getLong(1)), false));
            continue;
          }
        }
        open.setString(1, payment.accountId());
        open.executeUpdate();
        lock.setString(1, payment.accountId());
        String status;
        long limit;
        long dayTotal;
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        try (ResultSet rs = lock.executeQuery()) {
          rs.next();
          status = rs.getString(1);
          limit = rs.getLong(2);
          Date day = rs.getDate(3);
          dayTotal = day != null && day.toLocalDate().equals(today) ? rs.getLong(4) : 0;
        }
        if (!"OPEN".equals(status)) {
          outcomes.add(new Outcome.Failed(new JobError("ACCOUNT_CLOSED", "account " + payment.accountId() + " is closed")));
          continue;
        }
        double score = risk.score(payment, dayTotal, limit);
        boolean approved = score < RiskModel.DECLINE_AT && dayTotal + payment.amountMinor() <= limit;
        PaymentResult.Decision decision = approved ? PaymentResult.Decision.APPROVED : PaymentResult.Decision.DECLINED;
        ledger.setString(1, d.job().jobId());
        ledger.setString(2, payment.accountId());
        ledger.setLong(3, payment.amountMinor());
        ledger.setString(4, payment.currency());
        ledger.setString(5, payment.merchantId());
        ledger.setString(6, decision.name());
        ledger.setDouble(7, score);
        long entryId;
        try (ResultSet rs = ledger.executeQuery()) {
          rs.next();
          entryId = rs.getLong(1);
        }
        if (approved) {
          totals.setString(1, payment.accountId());
          totals.setLong(2, payment.amountMinor());
          totals.setDate(3, Date.valueOf(today));
          totals.setLong(4, payment.amountMinor());
          totals.executeUpdate();
        }
        outcomes.add(new Outcome.Succeeded(new PaymentResult(decision, score, entryId), false));
      }
    }
    return outcomes;
  }
}

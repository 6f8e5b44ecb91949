package io.spillway.workers.payment;

import io.spillway.schemas.JobError;
import io.spillway.schemas.PaymentInput;
import io.spillway.schemas.PaymentResult;
import io.spillway.workers.consume.Delivery;
import io.spillway.workers.consume.JobProcessor;
import io.spillway.workers.consume.Outcome;
import java.sql.Array;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Decides payments and writes the ledger, set-wise: a batch costs five statements, whatever its
 * size. In the batch's transaction: find the jobs that already have a ledger entry (a redelivery
 * or a replay — answered with that entry, nothing moves), open the accounts seen for the first
 * time, lock the batch's accounts in account order (so two workers never deadlock), then decide
 * every payment in record order — so per account in submit order — against the account's running
 * day total (declined when risky or over the daily limit; a closed account fails the job), and
 * write all ledger entries and the accounts' totals in one statement each. The ledger's unique job
 * id is the last line of defence against a second entry.
 */
public final class PaymentProcessor implements JobProcessor {

  private static final String EXISTING = "SELECT job_id, entry_id, decision, risk_score FROM payment_ledger WHERE job_id = ANY (?)";
  private static final String OPEN = "INSERT INTO accounts (account_id) SELECT id FROM unnest(?::text[]) AS u(id) ORDER BY id ON CONFLICT DO NOTHING";
  private static final String LOCK =
      "SELECT a.account_id, a.status, a.daily_limit_minor, t.day, t.day_total_minor FROM accounts a "
          + "LEFT JOIN account_totals t ON t.account_id = a.account_id WHERE a.account_id = ANY (?) ORDER BY a.account_id FOR UPDATE OF a";
  private static final String LEDGER =
      "INSERT INTO payment_ledger (job_id, account_id, amount_minor, currency, merchant_id, decision, risk_score) "
          + "SELECT * FROM unnest(?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::float8[]) RETURNING job_id, entry_id";
  private static final String TOTALS =
      "INSERT INTO account_totals (account_id, total_minor, day, day_total_minor, approved) "
          + "SELECT u.id, u.amount, ?::date, u.amount, u.n FROM unnest(?::text[], ?::bigint[], ?::bigint[]) AS u(id, amount, n) ORDER BY u.id "
          + "ON CONFLICT (account_id) DO UPDATE SET total_minor = account_totals.total_minor + EXCLUDED.total_minor, "
          + "day_total_minor = CASE WHEN account_totals.day = EXCLUDED.day THEN account_totals.day_total_minor + EXCLUDED.day_total_minor ELSE EXCLUDED.day_total_minor END, "
          + "day = EXCLUDED.day, approved = account_totals.approved + EXCLUDED.approved";

  private final RiskModel risk = new RiskModel();

  /** An account as locked for this batch, with its day total moving as the batch approves. */
  private static final class Account {
    final boolean open;
    final long limit;
    long dayTotal;
    long approvedTotal;
    long approvedCount;

    Account(boolean open, long limit, long dayTotal) {
      this.open = open;
      this.limit = limit;
      this.dayTotal = dayTotal;
    }
  }

  /** A decided payment waiting for its ledger entry id. */
  private record Decided(int index, String jobId, PaymentInput payment, PaymentResult.Decision decision, double score) {}

  @Override
  public List<Outcome> process(Connection tx, List<Delivery> deliveries) throws SQLException {
    Outcome[] outcomes = new Outcome[deliveries.size()];
    Map<String, Outcome> existing = existing(tx, deliveries);
    TreeSet<String> accountIds = new TreeSet<>();
    for (int i = 0; i < deliveries.size(); i++) {
      Outcome done = existing.get(deliveries.get(i).job().jobId());
      if (done != null) {
        outcomes[i] = done;
      } else {
        accountIds.add(payment(deliveries.get(i)).accountId());
      }
    }
    if (accountIds.isEmpty()) {
      return List.of(outcomes);
    }
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    Map<String, Account> accounts = lock(tx, accountIds, today);

    List<Decided> decided = new ArrayList<>();
    for (int i = 0; i < deliveries.size(); i++) {
      if (outcomes[i] != null) {
        continue;
      }
      PaymentInput payment = payment(deliveries.get(i));
      Account account = accounts.get(payment.accountId());
      if (!account.open) {
        outcomes[i] = new Outcome.Failed(new JobError("ACCOUNT_CLOSED", "account " + payment.accountId() + " is closed"));
        continue;
      }
      double score = risk.score(payment, account.dayTotal, account.limit);
      boolean approved = score < RiskModel.DECLINE_AT && account.dayTotal + payment.amountMinor() <= account.limit;
      if (approved) {
        account.dayTotal += payment.amountMinor();
        account.approvedTotal += payment.amountMinor();
        account.approvedCount++;
      }
      decided.add(new Decided(i, deliveries.get(i).job().jobId(), payment, approved ? PaymentResult.Decision.APPROVED : PaymentResult.Decision.DECLINED, score));
    }
    Map<String, Long> entryIds = writeLedger(tx, decided);
    for (Decided d : decided) {
      outcomes[d.index()] = new Outcome.Succeeded(new PaymentResult(d.decision(), d.score(), entryIds.get(d.jobId())), false);
    }
    moveTotals(tx, accounts, today);
    return List.of(outcomes);
  }

  private static PaymentInput payment(Delivery d) {
    return (PaymentInput) d.job().payload();
  }

  /** The ledger entries the batch's jobs already have, as their outcomes. */
  private static Map<String, Outcome> existing(Connection tx, List<Delivery> deliveries) throws SQLException {
    Map<String, Outcome> found = new HashMap<>();
    try (PreparedStatement s = tx.prepareStatement(EXISTING)) {
      s.setArray(1, tx.createArrayOf("text", deliveries.stream().map(d -> d.job().jobId()).toArray()));
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          found.put(rs.getString(1), new Outcome.Succeeded(
              new PaymentResult(PaymentResult.Decision.valueOf(rs.getString(3)), rs.getDouble(4), rs.getLong(2)), false));
        }
      }
    }
    return found;
  }

  /** Opens the accounts seen for the first time and locks all of them, in account order. */
  private static Map<String, Account> lock(Connection tx, TreeSet<String> accountIds, LocalDate today) throws SQLException {
    Array ids = tx.createArrayOf("text", accountIds.toArray());
    try (PreparedStatement open = tx.prepareStatement(OPEN)) {
      open.setArray(1, ids);
      open.executeUpdate();
    }
    Map<String, Account> accounts = new LinkedHashMap<>();
    try (PreparedStatement lock = tx.prepareStatement(LOCK)) {
      lock.setArray(1, ids);
      try (ResultSet rs = lock.executeQuery()) {
        while (rs.next()) {
          Date day = rs.getDate(4);
          long dayTotal = day != null && day.toLocalDate().equals(today) ? rs.getLong(5) : 0;
          accounts.put(rs.getString(1), new Account("OPEN".equals(rs.getString(2)), rs.getLong(3), dayTotal));
        }
      }
    }
    return accounts;
  }

  /** Writes every decided payment's ledger entry in one statement; returns the entry ids by job id. */
  private static Map<String, Long> writeLedger(Connection tx, List<Decided> decided) throws SQLException {
    Map<String, Long> entryIds = new HashMap<>();
    if (decided.isEmpty()) {
      return entryIds;
    }
    int n = decided.size();
    Object[] jobIds = new Object[n];
    Object[] accountIds = new Object[n];
    Object[] amounts = new Object[n];
    Object[] currencies = new Object[n];
    Object[] merchants = new Object[n];
    Object[] decisions = new Object[n];
    Object[] scores = new Object[n];
    for (int i = 0; i < n; i++) {
      Decided d = decided.get(i);
      jobIds[i] = d.jobId();
      accountIds[i] = d.payment().accountId();
      amounts[i] = d.payment().amountMinor();
      currencies[i] = d.payment().currency();
      merchants[i] = d.payment().merchantId();
      decisions[i] = d.decision().name();
      scores[i] = d.score();
    }
    try (PreparedStatement s = tx.prepareStatement(LEDGER)) {
      s.setArray(1, tx.createArrayOf("text", jobIds));
      s.setArray(2, tx.createArrayOf("text", accountIds));
      s.setArray(3, tx.createArrayOf("bigint", amounts));
      s.setArray(4, tx.createArrayOf("text", currencies));
      s.setArray(5, tx.createArrayOf("text", merchants));
      s.setArray(6, tx.createArrayOf("text", decisions));
      s.setArray(7, tx.createArrayOf("float8", scores));
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          entryIds.put(rs.getString(1), rs.getLong(2));
        }
      }
    }
    return entryIds;
  }

  /** Moves the running totals of the accounts whose payments were approved, one statement. */
  private static void moveTotals(Connection tx, Map<String, Account> accounts, LocalDate today) throws SQLException {
    List<Object> ids = new ArrayList<>();
    List<Object> amounts = new ArrayList<>();
    List<Object> counts = new ArrayList<>();
    accounts.forEach((id, account) -> {
      if (account.approvedCount > 0) {
        ids.add(id);
        amounts.add(account.approvedTotal);
        counts.add(account.approvedCount);
      }
    });
    if (ids.isEmpty()) {
      return;
    }
    try (PreparedStatement s = tx.prepareStatement(TOTALS)) {
      s.setDate(1, Date.valueOf(today));
      s.setArray(2, tx.createArrayOf("text", ids.toArray()));
      s.setArray(3, tx.createArrayOf("bigint", amounts.toArray()));
      s.setArray(4, tx.createArrayOf("bigint", counts.toArray()));
      s.executeUpdate();
    }
  }
}

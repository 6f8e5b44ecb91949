package io.spillway.drills.check;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The checker's reads of the payment ledger, kept beside the schema they depend on. */
final class LedgerQueries {

  private LedgerQueries() {}

  /** Accounts whose running total differs from the sum of their approved ledger entries. */
  static long accountsWhoseTotalDisagrees(Statement s, List<String> examples) throws SQLException {
    long count = 0;
    try (ResultSet rs =
        s.executeQuery(
            """
            SELECT a.account_id, a.total_minor, coalesce(l.sum_minor, 0)
              FROM account_totals a
              LEFT JOIN (SELECT account_id, sum(amount_minor) AS sum_minor
                           FROM payment_ledger WHERE decision = 'APPROVED' GROUP BY account_id) l
                ON l.account_id = a.account_id
             WHERE a.total_minor <> coalesce(l.sum_minor, 0)
            """)) {
      while (rs.next()) {
        count++;
        if (examples.size() < 20) {
          examples.add("total of " + rs.getString(1) + " is " + rs.getLong(2) + ", ledger says " + rs.getLong(3));
        }
      }
    }
    return count;
  }

  /** Job ids of each account's ledger entries in the order they were written. */
  static void ledgerOrder(Statement s, Map<String, List<String>> into) throws SQLException {
    try (ResultSet rs = s.executeQuery("SELECT account_id, job_id FROM payment_ledger ORDER BY entry_id")) {
      while (rs.next()) {
        into.computeIfAbsent(rs.getString(1), a -> new ArrayList<>()).add(rs.getString(2));
      }
    }
  }
}

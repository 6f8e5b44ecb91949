package io.spillway.workers.consume;

import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.sql.SQLRecoverableException;

/**
 * Decides whether a PostgreSQL error may go away by itself (the server is down or restarting, a
 * connection broke, a deadlock or serialization conflict) — then the batch is retried later — or
 * is a property of the data, which no retry can fix. Walks the cause chain.
 */
final class Transience {

  private Transience() {}

  /**
   * Whether the error says the database itself is unavailable (no connection, connection lost,
   * server shutting down or starting) rather than that this one transaction failed. During an
   * outage consumption pauses; a transaction that failed on a reachable database is retried later
   * through {@code jobs.retry}.
   */
  static boolean isOutage(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof java.sql.SQLTransientConnectionException || t instanceof SQLRecoverableException || t instanceof java.io.IOException) {
        return true;
      }
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        if (state.startsWith("08") // connection exception
            || state.equals("57P01") // admin shutdown
            || state.equals("57P02") // crash shutdown
            || state.equals("57P03")) { // cannot connect now (starting up)
          return true;
        }
      }
    }
    return error instanceof SQLException sql && sql.getSQLState() == null;
  }

  /**
   * Whether a retry may succeed: an outage, or a conflict on a reachable server (insufficient
   * resources, a cancelled statement, a serialization failure, a deadlock, a lock not available).
   */
  static boolean isTransient(Throwable error) {
    if (isOutage(error)) {
      return true;
    }
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientException) {
        return true;
      }
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        if (state.startsWith("53") // insufficient resources
            || state.startsWith("57") // operator intervention: shutdown, restart, cancel
            || state.equals("40001") // serialization failure
            || state.equals("40P01") // deadlock
            || state.equals("55P03")) { // lock not available
          return true;
        }
      }
    }
    return false;
  }
}

package io.spillway.workers.consume;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** Runs the jobs of one type. */
public interface JobProcessor {

  /**
   * Processes a poll's jobs, in record order, inside the batch's PostgreSQL transaction (which the
   * caller commits together with the job rows). Returns one outcome per delivery, in order.
   *
   * @throws SQLException when PostgreSQL fails: the whole batch is retried later
   */
  List<Outcome> process(Connection tx, List<Delivery> deliveries) throws SQLException;
}
